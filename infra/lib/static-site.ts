import { existsSync } from "node:fs";
import { join } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";

export interface StaticSiteProps {
  /** Directory holding the built page; must contain index.html. */
  readonly assetDir: string;
  /** Origin of the API (`https://<id>.execute-api.<region>.amazonaws.com`), allowed in CSP connect-src. */
  readonly apiOrigin: string;
}

/**
 * Content-Security-Policy of the page: only its own scripts, styles and images, and network
 * calls only to itself (config.json) and the API.
 */
function contentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
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
 * public and refuses plain HTTP), HTTPS only, with security headers on every response.
 */
export class StaticSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<id>.cloudfront.net`: the page's origin, first in the API's CORS allow list. */
  readonly origin: string;
  readonly url: string;
  private readonly assetDir: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    if (!existsSync(join(props.assetDir, "index.html"))) {
      throw new Error(
        `The page is not built: ${join(props.assetDir, "index.html")} does not exist. ` +
          "Build the web page first, or point -c webAssetDir=<dir> at a directory holding index.html.",
      );
    }
    this.assetDir = props.assetDir;

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Only build output lives here, redeployed on every deploy: nothing worth retaining.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const securityHeaders = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "SMS OTP page: CSP, HSTS, nosniff, frame deny, no referrer",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.apiOrigin),
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
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
  }

  /**
   * Uploads the page with `config.json` beside it (the page reads the API URL from there), and
   * invalidates CloudFront's cache so the new files are served at once.
   */
  deployPage(apiUrl: string): BucketDeployment {
    return new BucketDeployment(this, "Page", {
      sources: [Source.asset(this.assetDir), Source.jsonData("config.json", { apiUrl })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ["/*"],
      prune: true,
      memoryLimit: 256,
    });
  }
}
