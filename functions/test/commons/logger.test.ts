import { describe, expect, it } from "vitest";
import { describeError } from "../../src/commons/logger.ts";
import { SmsSendError } from "../../src/domain/errors.ts";

describe("error details for the logs", () => {
  it("mask a phone number quoted by the provider, in the error and in its cause", () => {
    const provider = new Error("Invalid parameter: PhoneNumber Reason: +1 (415) 555-0123 is opted out");
    const details = describeError(new SmsSendError({ cause: provider }));
    expect(details).toEqual({
      errorName: "SmsSendError",
      errorMessage: "The SMS could not be sent. Try again.",
      causeName: "Error",
      causeMessage: "Invalid parameter: PhoneNumber Reason: +1415*****23 is opted out",
    });
    expect(JSON.stringify(details)).not.toMatch(/555.?0123/);
  });
});
