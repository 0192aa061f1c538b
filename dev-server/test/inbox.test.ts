import { describe, expect, it } from "vitest";
import type { CapturedSms } from "#local-aws/resources";
import { escapeHtml } from "../src/inbox/page.ts";
import { OutboxPoller, SmsInbox, type SmsSource } from "../src/inbox/sms-inbox.ts";
import { formatSmsBox, wrap } from "../src/inbox/terminal-box.ts";

const SMS: CapturedSms = {
  phone: "+14155550123",
  message: "048213 is your Demo verification code. It expires in 5 minutes.",
  timestamp: "2030-01-02T03:04:05.678Z",
};

describe("the SMS inbox", () => {
  it("keeps messages oldest first with ids, filters by phone and id, and tells listeners", () => {
    const inbox = new SmsInbox();
    const heard: number[] = [];
    const unsubscribe = inbox.subscribe((message) => heard.push(message.id));
    inbox.add(SMS);
    inbox.add({ ...SMS, phone: "+447911123456" });
    unsubscribe();
    inbox.add({ ...SMS, message: "third" });
    expect(heard).toEqual([1, 2]);
    expect(inbox.list().map((message) => message.id)).toEqual([1, 2, 3]);
    expect(inbox.list({ phone: "+14155550123" }).map((message) => message.id)).toEqual([1, 3]);
    expect(inbox.list({ afterId: 2 }).map((message) => message.message)).toEqual(["third"]);
  });

  it("keeps the latest messages up to its capacity, with ids that keep counting", () => {
    const inbox = new SmsInbox(3);
    for (let n = 1; n <= 5; n++) inbox.add({ ...SMS, message: `sms ${n}` });
    expect(inbox.list().map((message) => [message.id, message.message])).toEqual([
      [3, "sms 3"],
      [4, "sms 4"],
      [5, "sms 5"],
    ]);
    expect(inbox.list({ afterId: 4 }).map((message) => message.id)).toEqual([5]);
  });

  it("is filled by the poller, leaving out what was sent before boot and reporting an outage once", async () => {
    const batches: (CapturedSms[] | Error)[] = [
      [
        { ...SMS, timestamp: "2030-01-01T00:00:00.000Z", message: "stale" },
        { ...SMS, timestamp: "2030-01-02T00:00:00.000Z", message: "fresh" },
      ],
      new Error("connection refused"),
      new Error("connection refused"),
      [{ ...SMS, timestamp: "2030-01-02T00:00:01.000Z", message: "after the outage" }],
    ];
    const source: SmsSource = {
      drain: async () => {
        const next = batches.shift() ?? [];
        if (next instanceof Error) throw next;
        return next;
      },
    };
    const inbox = new SmsInbox();
    const errors: unknown[] = [];
    const poller = new OutboxPoller(source, inbox, {
      intervalMs: 60_000,
      since: Date.parse("2030-01-01T12:00:00.000Z"),
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 4; i++) await poller.poll();
    await poller.stop();
    expect(inbox.list().map((message) => message.message)).toEqual(["fresh", "after the outage"]);
    expect(errors).toHaveLength(1);
  });
});

describe("the terminal box", () => {
  it("shows the recipient, the time, the text and the code", () => {
    const box = formatSmsBox(SMS, false);
    expect(box).toContain("SMS to +14155550123 at 03:04:05 UTC");
    expect(box).toContain("048213 is your Demo verification code.");
    expect(box).toContain("code: 048213");
    const lines = box.trim().split("\n");
    // A closed box: every line has the same width.
    expect(new Set(lines.map((line) => [...line].length)).size).toBe(1);
  });

  it("neutralises control characters so an SMS cannot drive the terminal", () => {
    const box = formatSmsBox({ ...SMS, message: "hi \u001b[2J\u001b]0;pwned\u0007 there" }, false);
    expect(box).not.toContain("\u001b");
    expect(box).not.toContain("\u0007");
  });

  it("wraps long words and keeps short lines whole", () => {
    expect(wrap("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(wrap("x".repeat(10), 4)).toEqual(["xxxx", "xxxx", "xx"]);
  });
});

describe("escapeHtml", () => {
  it("escapes every character that matters in content and attributes", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});
