import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { ServiceUnavailableError } from "../domain/errors.ts";
import type {
  AttemptResult,
  IssueCodeCommand,
  IssueCodeResult,
  IssueReceipt,
  OtpStore,
  RateWindow,
} from "../domain/ports.ts";

/**
 * DynamoDB implementation of the OTP store: one item per phone and one counter item per (IP,
 * hour). Only conditional Put/Update/Delete/Get with `ReturnValues` are used: the subset that
 * AWS, LocalStack and dynalite all implement (no transactions, no
 * ReturnValuesOnConditionCheckFailure, which is why refusals read the item once more).
 *
 * Phone item `PHONE#<e164>`: codeHash, codeId, expiresAt (ms), attempts, lastSentAt (ms),
 * sends_<hourWindow> (sends this hour), ttl (s). IP item `IP#<ip>#<hourWindow>`: sends, ttl.
 */
export class DynamoDbOtpStore implements OtpStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async reserveIpSend(ip: string, window: RateWindow, max: number, deleteAfter: number): Promise<boolean> {
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: ipKey(ip, window) },
        UpdateExpression: "ADD sends :one SET #ttl = :ttl",
        ConditionExpression: "attribute_not_exists(sends) OR sends < :max",
        ExpressionAttributeNames: { "#ttl": "ttl" },
        ExpressionAttributeValues: { ":one": 1, ":max": max, ":ttl": deleteAfter },
      }),
    );
  }

  async releaseIpSend(ip: string, window: RateWindow): Promise<void> {
    await this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: ipKey(ip, window) },
        UpdateExpression: "ADD sends :minusOne",
        ConditionExpression: "sends > :zero",
        ExpressionAttributeValues: { ":minusOne": -1, ":zero": 0 },
      }),
    );
  }

  async issueCode(command: IssueCodeCommand): Promise<IssueCodeResult> {
    const sendsAttribute = windowAttribute(command.window.id);
    try {
      // One write checks the cooldown and the hourly cap, counts the send and replaces the code,
      // which voids the previous one and resets its attempts.
      const result = await this.#call(() =>
        this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: phoneKey(command.phone) },
            UpdateExpression:
              "SET codeHash = :hash, codeId = :codeId, expiresAt = :expiresAt, attempts = :zero, " +
              "lastSentAt = :now, #ttl = :ttl ADD #sends :one REMOVE #previousSends",
            ConditionExpression:
              "(attribute_not_exists(lastSentAt) OR lastSentAt <= :lastSentNotAfter) AND " +
              "(attribute_not_exists(#sends) OR #sends < :maxSends)",
            ExpressionAttributeNames: {
              "#ttl": "ttl",
              "#sends": sendsAttribute,
              "#previousSends": windowAttribute(command.window.id - 1),
            },
            ExpressionAttributeValues: {
              ":hash": command.codeHash,
              ":codeId": command.codeId,
              ":expiresAt": command.expiresAt,
              ":zero": 0,
              ":one": 1,
              ":now": command.now,
              ":ttl": command.deleteAfter,
              ":lastSentNotAfter": command.lastSentNotAfter,
              ":maxSends": command.maxSendsInWindow,
            },
            ReturnValues: "ALL_OLD",
          }),
        ),
      );
      return {
        issued: true,
        receipt: { phone: command.phone, codeId: command.codeId, previous: result.Attributes },
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const item = await this.#get(phoneKey(command.phone));
    return {
      issued: false,
      state: {
        lastSentAt: numberOrUndefined(item?.lastSentAt),
        sendsInWindow: numberOrUndefined(item?.[sendsAttribute]) ?? 0,
      },
    };
  }

  async revertIssue(receipt: IssueReceipt): Promise<void> {
    const guard = {
      ConditionExpression: "codeId = :codeId",
      ExpressionAttributeValues: { ":codeId": receipt.codeId },
    };
    const previous = receipt.previous;
    // A newer code written meanwhile wins: the condition leaves it alone.
    await this.#conditional(
      isRecord(previous)
        ? new PutCommand({ TableName: this.#table, Item: previous, ...guard })
        : new DeleteCommand({ TableName: this.#table, Key: { pk: phoneKey(receipt.phone) }, ...guard }),
    );
  }

  async recordAttempt(phone: string, now: number, maxAttempts: number): Promise<AttemptResult> {
    try {
      const result = await this.#call(() =>
        this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: phoneKey(phone) },
            UpdateExpression: "ADD attempts :one",
            ConditionExpression: "attribute_exists(codeHash) AND expiresAt > :now AND attempts < :max",
            ExpressionAttributeValues: { ":one": 1, ":now": now, ":max": maxAttempts },
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      const item = result.Attributes ?? {};
      const { codeHash, codeId, attempts } = item;
      if (typeof codeHash === "string" && typeof codeId === "string" && typeof attempts === "number") {
        return { outcome: "counted", codeHash, codeId, attempts };
      }
      throw new ServiceUnavailableError("The stored code record is malformed.");
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const item = await this.#get(phoneKey(phone));
    const expiresAt = numberOrUndefined(item?.expiresAt);
    if (item?.codeHash === undefined || expiresAt === undefined || expiresAt <= now)
      return { outcome: "expired" };
    if ((numberOrUndefined(item.attempts) ?? 0) >= maxAttempts) return { outcome: "locked" };
    // Replaced by a new code between the two calls: the code the caller typed is not live.
    return { outcome: "expired" };
  }

  async consumeCode(phone: string, codeId: string): Promise<boolean> {
    // Removing the code (not the item) keeps the send counters and cooldown of this phone.
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: phoneKey(phone) },
        UpdateExpression: "REMOVE codeHash, codeId, expiresAt, attempts",
        ConditionExpression: "codeId = :codeId",
        ExpressionAttributeValues: { ":codeId": codeId },
      }),
    );
  }

  async #get(pk: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.#call(() =>
      this.#db.send(new GetCommand({ TableName: this.#table, Key: { pk }, ConsistentRead: true })),
    );
    return result.Item;
  }

  /** Runs a conditional write; false when its condition did not hold. */
  async #conditional(command: UpdateCommand | PutCommand | DeleteCommand): Promise<boolean> {
    try {
      // The document client's overloads take one command type at a time.
      await this.#call(() =>
        command instanceof UpdateCommand
          ? this.#db.send(command)
          : command instanceof PutCommand
            ? this.#db.send(command)
            : this.#db.send(command),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Maps SDK failures other than a failed condition to `ServiceUnavailableError`. */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      // Throttling after retries, timeouts, network errors: the caller may retry later.
      throw new ServiceUnavailableError("The code store is unavailable. Try again shortly.", {
        cause: error,
      });
    }
  }
}

/** Partition key of a phone's record. */
function phoneKey(phone: string): string {
  return `PHONE#${phone}`;
}

/** Partition key of an IP's counter for one hour window. */
function ipKey(ip: string, window: RateWindow): string {
  return `IP#${ip}#${window.id}`;
}

function windowAttribute(windowId: number): string {
  return `sends_${windowId}`;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
