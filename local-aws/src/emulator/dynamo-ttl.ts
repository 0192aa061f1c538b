/**
 * DynamoDB Time to Live for dynalite, which has no TTL API: `UpdateTimeToLive` and
 * `DescribeTimeToLive` are answered at the gateway from a per-table setting, and LocalStack's
 * developer endpoint `DELETE /_aws/dynamodb/expired` removes the items whose TTL attribute is a
 * number <= now (epoch seconds) in tables with TTL enabled. Here nothing expires on its own, as
 * on LocalStack without DYNAMODB_REMOVE_EXPIRED_ITEMS; with it (docker-compose.yml sets it)
 * LocalStack 4.14 sweeps at startup and then hourly. The handlers enforce expiry on read anyway.
 */

/** A DynamoDB JSON 1.0 answer: HTTP status and the parsed body. */
export interface DynamoReply {
  status: number;
  body: Record<string, unknown>;
}

/** Calls one DynamoDB operation on the emulator behind the gateway, in-process. */
export type DynamoInvoke = (operation: string, input: Record<string, unknown>) => Promise<DynamoReply>;

interface TtlSetting {
  enabled: boolean;
  attributeName: string;
  /** CreationDateTime of the table the setting belongs to: a re-created table starts disabled. */
  tableCreatedAt: number;
}

type AttributeValueMap = Record<string, unknown>;

const MAX_ATTRIBUTE_NAME_LENGTH = 255;

function validationError(message: string): DynamoReply {
  return { status: 400, body: { __type: "com.amazon.coral.validate#ValidationException", message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isConditionalCheckFailure(reply: DynamoReply): boolean {
  return String(reply.body.__type ?? "").endsWith("#ConditionalCheckFailedException");
}

interface TableFacts {
  createdAt: number;
  keyNames: string[];
}

/** The per-table TTL settings of one embedded stack. */
export class TtlEmulator {
  readonly #invoke: DynamoInvoke;
  readonly #settings = new Map<string, TtlSetting>();

  constructor(invoke: DynamoInvoke) {
    this.#invoke = invoke;
  }

  /** `DescribeTimeToLive`, answered like LocalStack: ENABLED/DISABLED, never the transitional states. */
  async describe(input: Record<string, unknown>): Promise<DynamoReply> {
    const table = await this.#describeTable(input.TableName);
    if ("reply" in table) return table.reply;
    const setting = this.#current(String(input.TableName), table.facts);
    const description = setting
      ? { TimeToLiveStatus: setting.enabled ? "ENABLED" : "DISABLED", AttributeName: setting.attributeName }
      : { TimeToLiveStatus: "DISABLED" };
    return { status: 200, body: { TimeToLiveDescription: description } };
  }

  /**
   * `UpdateTimeToLive`. Like LocalStack (and unlike AWS, which refuses to enable TTL twice), the
   * new specification simply replaces the old one.
   */
  async update(input: Record<string, unknown>): Promise<DynamoReply> {
    const specification = input.TimeToLiveSpecification;
    if (!isRecord(specification)) {
      return validationError(
        "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null",
      );
    }
    const { Enabled: enabled, AttributeName: attributeName } = specification;
    if (typeof enabled !== "boolean") {
      return validationError(
        "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null",
      );
    }
    if (
      typeof attributeName !== "string" ||
      attributeName.length === 0 ||
      attributeName.length > MAX_ATTRIBUTE_NAME_LENGTH
    ) {
      return validationError(
        "1 validation error detected: Value at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length between 1 and 255",
      );
    }
    const table = await this.#describeTable(input.TableName);
    if ("reply" in table) return table.reply;
    this.#settings.set(String(input.TableName), {
      enabled,
      attributeName,
      tableCreatedAt: table.facts.createdAt,
    });
    return {
      status: 200,
      body: { TimeToLiveSpecification: { Enabled: enabled, AttributeName: attributeName } },
    };
  }

  /**
   * Deletes every item whose TTL attribute is a number <= `nowSeconds` in every table with TTL
   * enabled, and returns how many were deleted. Each delete is conditional on the item still being
   * expired, so an item rewritten with a fresh TTL between the scan and the delete survives.
   */
  async deleteExpired(nowSeconds: number = Math.floor(Date.now() / 1000)): Promise<number> {
    let deleted = 0;
    for (const tableName of [...this.#settings.keys()]) {
      const table = await this.#describeTable(tableName);
      if ("reply" in table) {
        this.#settings.delete(tableName);
        continue;
      }
      const setting = this.#current(tableName, table.facts);
      if (!setting?.enabled) continue;
      deleted += await this.#deleteExpiredItems(
        tableName,
        table.facts.keyNames,
        setting.attributeName,
        nowSeconds,
      );
    }
    return deleted;
  }

  async #deleteExpiredItems(
    tableName: string,
    keyNames: string[],
    attributeName: string,
    nowSeconds: number,
  ): Promise<number> {
    const names: Record<string, string> = { "#ttl": attributeName };
    keyNames.forEach((keyName, index) => {
      names[`#k${index}`] = keyName;
    });
    const values = { ":now": { N: String(nowSeconds) } };
    let deleted = 0;
    let startKey: AttributeValueMap | undefined;
    do {
      const page = await this.#invoke("Scan", {
        TableName: tableName,
        FilterExpression: "#ttl <= :now",
        ProjectionExpression: keyNames.map((_, index) => `#k${index}`).join(", "),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      if (page.status !== 200) return deleted;
      const items = Array.isArray(page.body.Items) ? page.body.Items.filter(isRecord) : [];
      for (const key of items) {
        const reply = await this.#invoke("DeleteItem", {
          TableName: tableName,
          Key: key,
          ConditionExpression: "#ttl <= :now",
          ExpressionAttributeNames: { "#ttl": attributeName },
          ExpressionAttributeValues: values,
        });
        if (reply.status === 200) deleted += 1;
        else if (!isConditionalCheckFailure(reply)) return deleted;
      }
      startKey = isRecord(page.body.LastEvaluatedKey) ? page.body.LastEvaluatedKey : undefined;
    } while (startKey);
    return deleted;
  }

  #current(tableName: string, facts: TableFacts): TtlSetting | undefined {
    const setting = this.#settings.get(tableName);
    if (setting && setting.tableCreatedAt !== facts.createdAt) {
      this.#settings.delete(tableName);
      return undefined;
    }
    return setting;
  }

  /** DescribeTable through dynalite: its own error (missing table, bad name) is the answer to relay. */
  async #describeTable(tableName: unknown): Promise<{ facts: TableFacts } | { reply: DynamoReply }> {
    const reply = await this.#invoke("DescribeTable", { TableName: tableName });
    const table = reply.body.Table;
    if (reply.status !== 200 || !isRecord(table)) return { reply };
    const keySchema = Array.isArray(table.KeySchema) ? table.KeySchema.filter(isRecord) : [];
    return {
      facts: {
        createdAt: Number(table.CreationDateTime),
        keyNames: keySchema.map((element) => String(element.AttributeName)),
      },
    };
  }
}
