import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake endpoint received. */
export interface RecordedRequest {
  /** Service from the SigV4 credential scope (sts, ssm, cloudformation, s3). */
  readonly service: string;
  readonly host: string;
  readonly method: string;
  readonly url: string;
  readonly action: string;
}

export interface FakeAwsEndpoint {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

const ACCOUNT = "000000000000";
const ASSET_BUCKET = `cdk-hnb659fds-assets-${ACCOUNT}-us-east-1`;

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function xml(body: string, status = 200): Reply {
  return {
    status,
    headers: { "content-type": "text/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  };
}

/** The CLI assumes the bootstrap roles (deploy, file publishing) before anything else. */
function assumeRole(): Reply {
  return xml(
    `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>test</AccessKeyId><SecretAccessKey>test</SecretAccessKey><SessionToken>test</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/cdk/test</Arn><AssumedRoleId>AROA:test</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
  );
}

/** Without a stack account, the CLI asks STS who the credentials belong to. */
function callerIdentity(): Reply {
  return xml(
    `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:root</Arn><UserId>${ACCOUNT}</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
  );
}

function cloudFormation(action: string, params: URLSearchParams): Reply {
  if (action === "DescribeStacks" && params.get("StackName") === "CDKToolkit") {
    const outputs = [
      ["BucketName", ASSET_BUCKET],
      ["BucketDomainName", `${ASSET_BUCKET}.s3.amazonaws.com`],
      ["BootstrapVersion", "30"],
    ]
      .map(
        ([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
      )
      .join("");
    return xml(
      `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>CDKToolkit</StackName><StackId>arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/CDKToolkit/1</StackId><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2024-01-01T00:00:00Z</CreationTime><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`,
    );
  }
  // The app's own stack does not exist yet.
  return xml(
    `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${params.get("StackName")} does not exist</Message></Error></ErrorResponse>`,
    400,
  );
}

function s3(method: string, url: string): Reply {
  if (method === "GET" && url.includes("list-type=2")) {
    return xml(
      "<ListBucketResult><Name>assets</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>",
    );
  }
  if (method === "GET" && url.includes("location")) return xml("<LocationConstraint></LocationConstraint>");
  if (method === "GET" && url.includes("encryption")) {
    return xml(
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
    );
  }
  return { status: 200, headers: { etag: '"0"' }, body: "" };
}

function answer(service: string, action: string, params: URLSearchParams, req: IncomingMessage): Reply {
  if (service === "sts") return action === "GetCallerIdentity" ? callerIdentity() : assumeRole();
  if (service === "cloudformation") return cloudFormation(action, params);
  if (service === "ssm") {
    return {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ Parameter: { Name: "/cdk-bootstrap/hnb659fds/version", Value: "30" } }),
    };
  }
  if (service === "s3") return s3(req.method ?? "", req.url ?? "");
  return {
    status: 400,
    headers: { "content-type": "application/json" },
    body: '{"__type":"UnknownOperationException"}',
  };
}

/**
 * An AWS endpoint on 127.0.0.1 that answers just enough of STS, SSM, CloudFormation and S3 for
 * `cdk deploy` to publish its assets and then stop at creating the stack, recording every request.
 */
export async function startFakeAwsEndpoint(): Promise<FakeAwsEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const service =
        /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? "?";
      const params = new URLSearchParams(body.startsWith("{") ? "" : body);
      const action = params.get("Action") ?? String(req.headers["x-amz-target"] ?? "");
      requests.push({
        service,
        host: String(req.headers.host),
        method: req.method ?? "",
        url: req.url ?? "",
        action,
      });
      const reply = answer(service, action, params, req);
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
