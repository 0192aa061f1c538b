/**
 * The SQS query protocol (form-encoded request, XML response) on top of fauxqs, which speaks only
 * SQS's JSON protocol. AWS CLI releases older than late 2023 (Debian bookworm's `awscli` 2.9 among
 * them) still send SQS calls as query requests, so the gateway translates both ways. The names
 * follow the last query-protocol SQS model (botocore `sqs/2012-11-05`): flattened lists and maps
 * whose members carry singular names (`AttributeName.1`, `MessageAttribute.1.Name`, ...).
 */

/** SQS query actions; none of them is an SNS action, so the name alone tells the two apart. */
export const SQS_QUERY_ACTIONS: ReadonlySet<string> = new Set([
  "AddPermission",
  "CancelMessageMoveTask",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
  "CreateQueue",
  "DeleteMessage",
  "DeleteMessageBatch",
  "DeleteQueue",
  "GetQueueAttributes",
  "GetQueueUrl",
  "ListDeadLetterSourceQueues",
  "ListMessageMoveTasks",
  "ListQueueTags",
  "ListQueues",
  "PurgeQueue",
  "ReceiveMessage",
  "RemovePermission",
  "SendMessage",
  "SendMessageBatch",
  "SetQueueAttributes",
  "StartMessageMoveTask",
  "TagQueue",
  "UntagQueue",
]);

const XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";

type QueryNode = string | { [segment: string]: QueryNode };

type Rule =
  | { kind: "list"; json: string }
  | { kind: "map"; json: string; key: string; value: string }
  | { kind: "integer" };

/** Query member name -> JSON member, for everything that is not a plain string. */
const REQUEST_RULES: Record<string, Rule> = {
  AttributeName: { kind: "list", json: "AttributeNames" },
  MessageAttributeName: { kind: "list", json: "MessageAttributeNames" },
  MessageSystemAttributeName: { kind: "list", json: "MessageSystemAttributeNames" },
  TagKey: { kind: "list", json: "TagKeys" },
  StringListValue: { kind: "list", json: "StringListValues" },
  BinaryListValue: { kind: "list", json: "BinaryListValues" },
  DeleteMessageBatchRequestEntry: { kind: "list", json: "Entries" },
  SendMessageBatchRequestEntry: { kind: "list", json: "Entries" },
  ChangeMessageVisibilityBatchRequestEntry: { kind: "list", json: "Entries" },
  Attribute: { kind: "map", json: "Attributes", key: "Name", value: "Value" },
  MessageAttribute: { kind: "map", json: "MessageAttributes", key: "Name", value: "Value" },
  MessageSystemAttribute: { kind: "map", json: "MessageSystemAttributes", key: "Name", value: "Value" },
  Tag: { kind: "map", json: "Tags", key: "Key", value: "Value" },
  MaxNumberOfMessages: { kind: "integer" },
  VisibilityTimeout: { kind: "integer" },
  WaitTimeSeconds: { kind: "integer" },
  DelaySeconds: { kind: "integer" },
  MaxResults: { kind: "integer" },
};

/** JSON list member -> the element each item becomes in XML (flattened lists). */
const RESPONSE_LIST_ELEMENTS: Record<string, string> = {
  Messages: "Message",
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Failed: "BatchResultErrorEntry",
  StringListValues: "StringListValue",
  BinaryListValues: "BinaryListValue",
  Results: "ListMessageMoveTasksResultEntry",
};

/** JSON map member -> XML entry element and its key/value element names (flattened maps). */
const RESPONSE_MAP_ELEMENTS: Record<string, { element: string; key: string; value: string }> = {
  Attributes: { element: "Attribute", key: "Name", value: "Value" },
  MessageAttributes: { element: "MessageAttribute", key: "Name", value: "Value" },
  Tags: { element: "Tag", key: "Key", value: "Value" },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseTree(params: URLSearchParams): Record<string, QueryNode> {
  const root: Record<string, QueryNode> = {};
  for (const [key, value] of params) {
    const segments = key.split(".");
    let node: Record<string, QueryNode> = root;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (typeof next === "object") {
        node = next;
      } else {
        const created: Record<string, QueryNode> = {};
        node[segment] = created;
        node = created;
      }
    });
  }
  return root;
}

/** Members `1`, `2`, ... of a flattened list or map, in index order. */
function indexed(node: QueryNode): QueryNode[] {
  if (typeof node === "string") return [node];
  return Object.entries(node)
    .filter(([index]) => /^\d+$/.test(index))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, item]) => item);
}

function convertValue(node: QueryNode): unknown {
  return typeof node === "string" ? node : convertStructure(node);
}

function convertStructure(node: Record<string, QueryNode>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(node)) {
    const rule = REQUEST_RULES[name];
    if (rule?.kind === "list") {
      result[rule.json] = indexed(child).map(convertValue);
    } else if (rule?.kind === "map") {
      const map: Record<string, unknown> = {};
      for (const entry of indexed(child)) {
        if (typeof entry === "string") continue;
        const key = entry[rule.key];
        const value = entry[rule.value];
        if (typeof key === "string" && value !== undefined) map[key] = convertValue(value);
      }
      result[rule.json] = map;
    } else if (rule?.kind === "integer" && typeof child === "string") {
      result[name] = Number(child);
    } else {
      result[name] = convertValue(child);
    }
  }
  return result;
}

/** Turns a form-encoded SQS query request into the action name and its JSON protocol input. */
export function queryRequestToJson(params: URLSearchParams): {
  action: string;
  input: Record<string, unknown>;
} {
  const action = params.get("Action") ?? "";
  const tree = parseTree(params);
  delete tree.Action;
  delete tree.Version;
  const input = convertStructure(tree);
  // CreateQueue's tag map is the one member whose JSON name is lower case.
  if (action === "CreateQueue" && "Tags" in input) {
    input.tags = input.Tags;
    delete input.Tags;
  }
  return { action, input };
}

function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    .replaceAll("\r", "&#xD;");
}

function element(name: string, value: unknown, action: string): string {
  if (value === undefined || value === null) return "";
  if (isRecord(value)) return `<${name}>${members(value, action)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function members(value: Record<string, unknown>, action: string): string {
  let xml = "";
  for (const [name, child] of Object.entries(value)) {
    const map = RESPONSE_MAP_ELEMENTS[name];
    if (Array.isArray(child)) {
      const itemName =
        name === "Successful" ? `${action}ResultEntry` : (RESPONSE_LIST_ELEMENTS[name] ?? name);
      xml += child.map((item) => element(itemName, item, action)).join("");
    } else if (map && isRecord(child)) {
      xml += Object.entries(child)
        .map(
          ([key, entry]) =>
            `<${map.element}>${element(map.key, key, action)}${element(map.value, entry, action)}</${map.element}>`,
        )
        .join("");
    } else {
      xml += element(name, child, action);
    }
  }
  return xml;
}

/** The XML body of a successful query response for a JSON protocol result. */
export function jsonResultToQueryXml(action: string, result: unknown, requestId: string): string {
  const body = isRecord(result) ? members(result, action) : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XML_NAMESPACE}">` +
    `<${action}Result>${body}</${action}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/**
 * The XML body of a query error for a JSON protocol error. The JSON protocol carries the query
 * error code in the `x-amzn-query-error` header ("AWS.SimpleQueueService.NonExistentQueue;Sender");
 * without it, the code is the `__type` after its namespace.
 */
export function jsonErrorToQueryXml(
  error: unknown,
  queryErrorHeader: string | undefined,
  requestId: string,
): string {
  const record = isRecord(error) ? error : {};
  const [headerCode, headerFault] = (queryErrorHeader ?? "").split(";");
  const type = String(record.__type ?? "InternalFailure");
  const code = headerCode || type.slice(type.lastIndexOf("#") + 1);
  const fault = headerFault || "Sender";
  const message = String(record.message ?? record.Message ?? "");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XML_NAMESPACE}">` +
    `<Error><Type>${escapeXml(fault)}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message><Detail/></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
