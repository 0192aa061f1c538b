import { randomUUID } from "node:crypto";
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
  ScopeSendCommand,
  ScopeSendResult,
  TrafficScope,
} from "../domain/ports.ts";

/**
 * DynamoDB implementation of the OTP store: one table, items by partition key (README.md, "Data
 * model"). Only conditional Put/Update/Delete/Get with `ReturnValues` are used: the subset that
 * AWS, LocalStack and dynalite all implement (no transactions, no
 * ReturnValuesOnConditionCheckFailure, which is why refusals read the item once more).
 *
 * The SDK retries a write whose answer was lost (a reset, a timeout), and DynamoDB may have
 * applied it already. Writes that must not count twice therefore recognise their own earlier
 * attempt: the phone write by its code id, consumption and give-backs by a claim written with them.
 *
 * - `PHONE#<e164>`: codeHash, keyId, codeId, expiresAt (ms), attempts, lastSentAt (ms), sends_<hour>, ttl (s),
 *   consumedBy (the claim of the validation that used the last code)
 * - `IP#<source>#<hour>`, `GLOBAL#<hour>#<shard>`: sends, ttl, lastRefund
 * - `RANGE#<prefix>`, `COUNTRY#<iso>`: sends_<hour>, verified_<hour> (this hour and the last are
 *   kept), blockedUntil (ms), ttl, lastRefund
 */
export class DynamoDbOtpStore implements OtpStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async reserveSourceSend(
    source: string,
    window: RateWindow,
    max: number,
    deleteAfter: number,
  ): Promise<boolean> {
    return this.#reserveCounter(sourceKey(source, window), max, deleteAfter);
  }

  async releaseSourceSend(source: string, window: RateWindow): Promise<void> {
    await this.#releaseCounter(sourceKey(source, window));
  }

  async reserveGlobalSend(
    window: RateWindow,
    shard: number,
    max: number,
    deleteAfter: number,
  ): Promise<boolean> {
    return this.#reserveCounter(globalKey(window, shard), max, deleteAfter);
  }

  async releaseGlobalSend(window: RateWindow, shard: number): Promise<void> {
    await this.#releaseCounter(globalKey(window, shard));
  }

  async reserveScopeSend(scope: TrafficScope, command: ScopeSendCommand): Promise<ScopeSendResult> {
    const { window } = command;
    const budgeted = command.budget !== undefined;
    try {
      // One write checks the block (and the budget), counts the send and answers with the
      // look-back counts the conversion rule judges; old windows are dropped on the way.
      const result = await this.#call(() =>
        this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: scopeKey(scope) },
            UpdateExpression: "ADD #sends :one SET #ttl = :ttl REMOVE #oldSends, #oldVerified",
            ConditionExpression: `(attribute_not_exists(blockedUntil) OR blockedUntil <= :now)${
              budgeted ? " AND (attribute_not_exists(#sends) OR #sends < :budget)" : ""
            }`,
            ExpressionAttributeNames: {
              "#sends": sendsAttribute(window.id),
              "#oldSends": sendsAttribute(window.id - 2),
              "#oldVerified": verifiedAttribute(window.id - 2),
              "#ttl": "ttl",
            },
            ExpressionAttributeValues: {
              ":one": 1,
              ":now": command.now,
              ":ttl": command.deleteAfter,
              ...(budgeted ? { ":budget": command.budget } : {}),
            },
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      const item = result.Attributes ?? {};
      const count = (attribute: string) => numberOrUndefined(item[attribute]) ?? 0;
      return {
        counted: true,
        stats: {
          sends: count(sendsAttribute(window.id)) + count(sendsAttribute(window.id - 1)),
          verified: count(verifiedAttribute(window.id)) + count(verifiedAttribute(window.id - 1)),
        },
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const item = await this.#get(scopeKey(scope));
    return {
      counted: false,
      blockedUntil: numberOrUndefined(item?.blockedUntil),
      sendsThisHour: numberOrUndefined(item?.[sendsAttribute(window.id)]) ?? 0,
    };
  }

  async releaseScopeSend(scope: TrafficScope, window: RateWindow, blockUntil?: number): Promise<void> {
    const names = { "#sends": sendsAttribute(window.id) };
    const refund = { ":minusOne": -1, ":refund": randomUUID() };
    await this.#conditional(
      blockUntil === undefined
        ? new UpdateCommand({
            TableName: this.#table,
            Key: { pk: scopeKey(scope) },
            UpdateExpression: `ADD #sends :minusOne SET ${LAST_REFUND} = :refund`,
            ConditionExpression: `#sends > :zero AND ${NOT_THIS_REFUND}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...refund, ":zero": 0 },
          })
        : // The block must land even if the count is gone (the refusal already told the client);
          // only its own retry is turned away, the block being in place by then.
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: scopeKey(scope) },
            UpdateExpression: `ADD #sends :minusOne SET blockedUntil = :until, ${LAST_REFUND} = :refund`,
            ConditionExpression: NOT_THIS_REFUND,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...refund, ":until": blockUntil },
          }),
    );
  }

  async recordVerification(scope: TrafficScope, window: RateWindow, deleteAfter: number): Promise<void> {
    await this.#call(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: scopeKey(scope) },
          UpdateExpression: "ADD #verified :one SET #ttl = :ttl REMOVE #oldSends, #oldVerified",
          ExpressionAttributeNames: {
            "#verified": verifiedAttribute(window.id),
            "#oldSends": sendsAttribute(window.id - 2),
            "#oldVerified": verifiedAttribute(window.id - 2),
            "#ttl": "ttl",
          },
          ExpressionAttributeValues: { ":one": 1, ":ttl": deleteAfter },
        }),
      ),
    );
  }

  /**
   * Lifts a scope's block and forgets its counts (for a country, this hour's budget count too).
   * Not a port method: the operators' `npm run unblock` calls it.
   */
  async clearScope(scope: TrafficScope): Promise<void> {
    await this.#call(() =>
      this.#db.send(new DeleteCommand({ TableName: this.#table, Key: { pk: scopeKey(scope) } })),
    );
  }

  async issueCode(command: IssueCodeCommand): Promise<IssueCodeResult> {
    const phoneSends = sendsAttribute(command.window.id);
    try {
      // One write checks the cooldown and the hourly cap, counts the send and replaces the code,
      // which voids the previous one and resets its attempts.
      const result = await this.#call(() =>
        this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: phoneKey(command.phone) },
            UpdateExpression:
              "SET codeHash = :hash, keyId = :keyId, codeId = :codeId, expiresAt = :expiresAt, attempts = :zero, " +
              "lastSentAt = :now, #ttl = :ttl ADD #sends :one REMOVE #previousSends",
            ConditionExpression:
              "(attribute_not_exists(lastSentAt) OR lastSentAt <= :lastSentNotAfter) AND " +
              "(attribute_not_exists(#sends) OR #sends < :maxSends)",
            ExpressionAttributeNames: {
              "#ttl": "ttl",
              "#sends": phoneSends,
              "#previousSends": sendsAttribute(command.window.id - 1),
            },
            ExpressionAttributeValues: {
              ":hash": command.codeHash,
              ":keyId": command.keyId,
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
    if (item?.codeId === command.codeId) {
      // Our own write, applied by an attempt whose answer was lost; the SDK's retry met its cooldown.
      return { issued: true, receipt: { phone: command.phone, codeId: command.codeId, previous: UNKNOWN } };
    }
    return {
      issued: false,
      state: {
        lastSentAt: numberOrUndefined(item?.lastSentAt),
        sendsInWindow: numberOrUndefined(item?.[phoneSends]) ?? 0,
      },
    };
  }

  async revertIssue(receipt: IssueReceipt): Promise<void> {
    const guard = {
      ConditionExpression: "codeId = :codeId",
      ExpressionAttributeValues: { ":codeId": receipt.codeId },
    };
    const previous = receipt.previous;
    if (previous === UNKNOWN) {
      // What our write replaced went with the lost answer: drop our code, keep the counts.
      await this.#conditional(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: phoneKey(receipt.phone) },
          UpdateExpression: "REMOVE codeHash, keyId, codeId, expiresAt, attempts, lastSentAt",
          ...guard,
        }),
      );
      return;
    }
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
      const { codeHash, codeId, attempts, keyId } = item;
      if (typeof codeHash === "string" && typeof codeId === "string" && typeof attempts === "number") {
        return {
          outcome: "counted",
          codeHash,
          codeId,
          attempts,
          keyId: typeof keyId === "string" ? keyId : undefined,
        };
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
    // Removing the code (not the item) keeps the send counters and cooldown of this phone. The
    // claim lets the SDK's retry of an applied attempt succeed, and no other request.
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: phoneKey(phone) },
        UpdateExpression: "SET consumedBy = :claim REMOVE codeHash, keyId, codeId, expiresAt, attempts",
        ConditionExpression: "codeId = :codeId OR consumedBy = :claim",
        ExpressionAttributeValues: { ":codeId": codeId, ":claim": randomUUID() },
      }),
    );
  }

  /** A counter item of one window: counts one unless it reached `max`. */
  async #reserveCounter(pk: string, max: number, deleteAfter: number): Promise<boolean> {
    return this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk },
        UpdateExpression: "ADD sends :one SET #ttl = :ttl",
        ConditionExpression: "attribute_not_exists(sends) OR sends < :max",
        ExpressionAttributeNames: { "#ttl": "ttl" },
        ExpressionAttributeValues: { ":one": 1, ":max": max, ":ttl": deleteAfter },
      }),
    );
  }

  async #releaseCounter(pk: string): Promise<void> {
    await this.#conditional(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk },
        UpdateExpression: `ADD sends :minusOne SET ${LAST_REFUND} = :refund`,
        ConditionExpression: `sends > :zero AND ${NOT_THIS_REFUND}`,
        ExpressionAttributeValues: { ":minusOne": -1, ":zero": 0, ":refund": randomUUID() },
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

/** The receipt of a phone write recognised on retry: what it replaced is not known. */
const UNKNOWN = Symbol("unknown previous item");

/**
 * A give-back names itself, so the SDK's retry of one that was applied (its answer lost) finds
 * its own name and gives nothing back twice.
 */
const LAST_REFUND = "lastRefund";
const NOT_THIS_REFUND = `(attribute_not_exists(${LAST_REFUND}) OR ${LAST_REFUND} <> :refund)`;

/** Partition key of a phone's record. */
function phoneKey(phone: string): string {
  return `PHONE#${phone}`;
}

/** Partition key of a source's counter for one hour window (an IPv4 address or an IPv6 /64). */
function sourceKey(source: string, window: RateWindow): string {
  return `IP#${source}#${window.id}`;
}

/** Partition key of one item of the service-wide ceiling for one hour window. */
function globalKey(window: RateWindow, shard: number): string {
  return `GLOBAL#${window.id}#${shard}`;
}

/** Partition key of a range (`RANGE#+44740012`) or a country (`COUNTRY#GB`). */
function scopeKey(scope: TrafficScope): string {
  return `${scope.kind.toUpperCase()}#${scope.key}`;
}

function sendsAttribute(windowId: number): string {
  return `sends_${windowId}`;
}

function verifiedAttribute(windowId: number): string {
  return `verified_${windowId}`;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
