/**
 * The cloud facts kops's validation reads, as the caller knows them: aws.go's rules asking EC2
 * (aws-instancegroup.ts) answered from machine types and images described in advance, the way
 * `clusterFromOptions` takes them. Nothing here does I/O.
 */
import type { AwsCloudLookup } from './aws-instancegroup.js';
import type { SkippedRule } from './source.js';

/**
 * What the validation knows of the cloud: the part of `CloudFacts` (create-cluster) it reads, so
 * a `CloudFacts` can be passed as it is. A machine type or image not described is not known: the
 * rules needing it are skipped (and listed), never failed.
 */
export interface ValidationCloudFacts {
  /**
   * Machine types by name, as EC2 `DescribeInstanceTypes` reports them: the architectures they
   * support (aws.go:264: one must be the image's) and, when known, whether they have a GPU
   * (aws.go:315: a mixed-instances policy does not mix GPU and non-GPU types).
   */
  machineTypes?: Readonly<
    Record<
      string,
      {
        /** Supported architectures, in EC2's order (`x86_64`, `arm64`, `i386`). */
        architectures: readonly string[];
        /** Whether EC2 reports a GPU; undefined: not known. */
        gpu?: boolean;
      }
    >
  >;
  /** Images by name, as EC2 resolves them (`ResolveImage`). */
  images?: Readonly<
    Record<
      string,
      {
        /** The image's architecture (`x86_64`, `arm64`). */
        architecture: string;
      }
    >
  >;
}

/** Options of the validators that run kops's rules needing the cloud. */
export interface CloudValidateOptions {
  /** Machine types and images: with them, aws.go's rules asking EC2 run for what they describe. */
  cloudFacts?: ValidationCloudFacts;
  /**
   * Receives the kops rules that did not run for lack of a cloud fact, each source and reason
   * once (a rule skipped for two machine types is listed twice, one reason each).
   */
  skipped?: SkippedRule[];
}

const own = <T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;

/** aws.go's EC2 questions answered from `facts` (undefined, not known, for what they do not describe). */
export function awsLookupFromFacts(facts: ValidationCloudFacts): AwsCloudLookup {
  return {
    resolveImage: (image) => own(facts.images, image),
    describeInstanceType(instanceType) {
      const info = own(facts.machineTypes, instanceType);
      if (info === undefined) return undefined;
      return info.gpu === undefined ? { architectures: info.architectures } : { ...info };
    },
  };
}
