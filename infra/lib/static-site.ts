import { existsSync } from "node:fs";
import { join } from "node:path";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { acknowledge } from "./nag.ts";
import type { SiteDomain } from "./settings.ts";

export interface StaticSiteProps {
  /** Directory holding the built page; must contain index.html. */
  readonly assetDir: string;
  /** Origin of the API (`https://<id>.execute-api.<region>.amazonaws.com`), allowed in CSP connect-src. */
  readonly apiOrigin: string;
  /** The page's own domain name; unset, it is served on CloudFront's *.cloudfront.net name. */
  readonly domain: SiteDomain | undefined;
  /** What happens to the access-log bucket (and the logs in it) when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Cloudflare Turnstile's site key: the page loads the widget, so the CSP lets Cloudflare in. */
  readonly turnstileSiteKey: string | undefined;
}

/** Where the Turnstile widget's script and frame come from. */
const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";

/** Access logs of the bucket and of CloudFront are kept this long. */
const ACCESS_LOG_EXPIRATION = Duration.days(90);

/**
 * Content-Security-Policy of the page: only its own scripts, styles and images, and network
 * calls only to itself (config.json) and the API; with a human check, Cloudflare's script and frame.
 */
function contentSecurityPolicy(apiOrigin: string, turnstile: boolean): string {
  return [
    "default-src 'self'",
    turnstile ? `script-src 'self' ${TURNSTILE_ORIGIN}` : "script-src 'self'",
    ...(turnstile ? [`frame-src ${TURNSTILE_ORIGIN}`] : []),
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "upgrade-insecure-requests",
  ].join("; ");
}

/**
 * The page on a private S3 bucket behind CloudFront (origin access control; the bucket is never
 * public and refuses plain HTTP), HTTPS only, with security headers on every response, and the
 * access logs of both in a log bucket that expires them.
 */
export class StaticSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<siteDomain>` or `https://<id>.cloudfront.net`: first in the API's CORS allow list. */
  readonly origin: string;
  readonly url: string;
  private readonly assetDir: string;
  private readonly turnstileSiteKey: string | undefined;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    if (!existsSync(join(props.assetDir, "index.html"))) {
      throw new Error(
        `The page is not built: ${join(props.assetDir, "index.html")} does not exist. ` +
          "Build the web page first, or point -c webAssetDir=<dir> at a directory holding index.html.",
      );
    }
    this.assetDir = props.assetDir;
    this.turnstileSiteKey = props.turnstileSiteKey;

    const logBucket = new Bucket(this, "AccessLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logging writes through an ACL grant to its log-delivery account,
      // so ACLs stay enabled here; the bucket owner still owns every log object.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // S3 server access logs can only be delivered to a bucket with SSE-S3 (not SSE-KMS).
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [
        { expiration: ACCESS_LOG_EXPIRATION, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.logRemovalPolicy,
    });

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Only build output lives here, redeployed on every deploy: nothing worth retaining.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: "site-bucket/",
    });

    const securityHeaders = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "SMS OTP page: CSP, HSTS, nosniff, frame deny, no referrer",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.apiOrigin, props.turnstileSiteKey !== undefined),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        // OWASP: disable the legacy XSS auditor (it introduced leaks of its own); CSP does the job.
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: "Permissions-Policy",
            value: "camera=(), microphone=(), geolocation=(), payment=()",
            override: true,
          },
        ],
      },
    });

    this.distribution = new Distribution(this, "Distribution", {
      comment: "SMS OTP page",
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      // North America and Europe edges only: the cheapest price class.
      priceClass: PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket,
      logFilePrefix: "cloudfront/",
      logIncludesCookies: false,
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: Certificate.fromCertificateArn(this, "Certificate", props.domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    acknowledge(
      this.distribution,
      {
        rule: "AwsSolutions-CFR1",
        reason:
          "A static page anyone may load; who may receive SMS is decided per country by OTP_ALLOWED_COUNTRIES and the SMS protect configuration, not by where the page is viewed.",
      },
      {
        rule: "AwsSolutions-CFR2",
        reason:
          "The distribution serves static files only; the API, where the abuse would be, has its own web ACL. A CloudFront web ACL would cost another 5 USD a month plus rules.",
      },
    );
    if (!props.domain) {
      acknowledge(this.distribution, {
        rule: "AwsSolutions-CFR4",
        reason:
          "No siteDomain is configured: with the default *.cloudfront.net certificate CloudFront cannot raise the viewer TLS floor. Give siteDomain and siteCertificateArn to get TLS_V1_2_2021.",
      });
    }
    this.origin = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
  }

  /**
   * Uploads the page with `config.json` beside it (the page reads the API URL from there), and
   * invalidates CloudFront's cache so the new files are served at once.
   */
  deployPage(apiUrl: string): BucketDeployment {
    const deployment = new BucketDeployment(this, "Page", {
      sources: [
        Source.asset(this.assetDir),
        Source.jsonData("config.json", {
          apiUrl,
          ...(this.turnstileSiteKey ? { turnstileSiteKey: this.turnstileSiteKey } : {}),
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ["/*"],
      prune: true,
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentHandler();
    return deployment;
  }

  /**
   * BucketDeployment runs a singleton function of aws-cdk-lib's at the stack's root, with the
   * runtime, role and policy CDK chooses: the findings on it are CDK's design, not ours to change.
   */
  private acknowledgeDeploymentHandler(): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child) =>
      child.node.id.startsWith("Custom::CDKBucketDeployment"),
    );
    if (!handler) throw new Error("BucketDeployment's handler function was not found at the stack root");
    const siteBucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    const policyReason =
      "The policy aws-cdk-lib's BucketDeployment generates: read the page's asset from the CDK bootstrap bucket, " +
      "replace and prune the objects of this site bucket, and invalidate this distribution (CloudFront's " +
      "invalidation actions take no narrower resource).";
    acknowledge(
      handler,
      {
        rule: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "BucketDeployment creates its handler's role with this managed policy; CDK offers no way to scope it.",
      },
      ...[
        "Resource::*",
        "Action::s3:GetBucket*",
        "Action::s3:GetObject*",
        "Action::s3:List*",
        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
        "Action::s3:Abort*",
        "Action::s3:DeleteObject*",
        `Resource::<${siteBucketId}.Arn>/*`,
      ].map((finding) => ({ rule: `AwsSolutions-IAM5[${finding}]` as const, reason: policyReason })),
      {
        rule: "AwsSolutions-L1",
        reason:
          "aws-cdk-lib pins the Python runtime of BucketDeployment's handler to the one it is tested with.",
      },
      {
        rule: "Serverless-LambdaLatestVersion",
        reason:
          "aws-cdk-lib pins the Python runtime of BucketDeployment's handler to the one it is tested with.",
      },
      {
        rule: "Serverless-LambdaDLQ",
        reason:
          "CloudFormation invokes the handler synchronously as a custom resource and gets its failure back; a DLQ only catches asynchronous invocations.",
      },
      {
        rule: "Serverless-LambdaTracing",
        reason:
          "A deploy-time helper of aws-cdk-lib that runs once per deployment; there is no request path to trace.",
      },
    );
  }
}
