/**
 * The AWS partition table (botocore `partitions.json`, version 1.1), embedded
 * so that the library never reads JSON at run time, and the Smithy
 * rules-engine function `aws.partition`.
 *
 * `test/Endpoint.test.ts` checks that this table equals
 * `test/fixtures/spec/botocore-partitions.json`; update both together.
 *
 * @internal
 */

/** The attributes `aws.partition` returns (`PartitionResult#…` in a rule set). */
export interface PartitionOutputs {
  readonly name: string
  readonly dnsSuffix: string
  readonly dualStackDnsSuffix: string
  readonly supportsFIPS: boolean
  readonly supportsDualStack: boolean
  readonly implicitGlobalRegion: string
}

/** One partition: its explicit region names, its region pattern and its outputs. */
export interface Partition {
  readonly id: string
  readonly regionRegex: RegExp
  readonly regions: ReadonlyArray<string>
  readonly outputs: PartitionOutputs
}

/** The partitions, in the order of `partitions.json` (lookup order matters). */
export const partitions: ReadonlyArray<Partition> = [
  {
    id: "aws",
    regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$/,
    regions: [
      "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1",
      "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
      "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
      "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global",
      "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
      "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
      "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
      "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
      "us-west-2"
    ],
    outputs: {
      name: "aws",
      dnsSuffix: "amazonaws.com",
      dualStackDnsSuffix: "api.aws",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "us-east-1"
    }
  },
  {
    id: "aws-cn",
    regionRegex: /^cn\-\w+\-\d+$/,
    regions: ["aws-cn-global", "cn-north-1", "cn-northwest-1"],
    outputs: {
      name: "aws-cn",
      dnsSuffix: "amazonaws.com.cn",
      dualStackDnsSuffix: "api.amazonwebservices.com.cn",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "cn-northwest-1"
    }
  },
  {
    id: "aws-eusc",
    regionRegex: /^eusc\-(de)\-\w+\-\d+$/,
    regions: ["eusc-de-east-1"],
    outputs: {
      name: "aws-eusc",
      dnsSuffix: "amazonaws.eu",
      dualStackDnsSuffix: "api.amazonwebservices.eu",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "eusc-de-east-1"
    }
  },
  {
    id: "aws-iso",
    regionRegex: /^us\-iso\-\w+\-\d+$/,
    regions: ["aws-iso-global", "us-iso-east-1", "us-iso-west-1"],
    outputs: {
      name: "aws-iso",
      dnsSuffix: "c2s.ic.gov",
      dualStackDnsSuffix: "api.aws.ic.gov",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "us-iso-east-1"
    }
  },
  {
    id: "aws-iso-b",
    regionRegex: /^us\-isob\-\w+\-\d+$/,
    regions: ["aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"],
    outputs: {
      name: "aws-iso-b",
      dnsSuffix: "sc2s.sgov.gov",
      dualStackDnsSuffix: "api.aws.scloud",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "us-isob-east-1"
    }
  },
  {
    id: "aws-iso-e",
    regionRegex: /^eu\-isoe\-\w+\-\d+$/,
    regions: ["aws-iso-e-global", "eu-isoe-west-1"],
    outputs: {
      name: "aws-iso-e",
      dnsSuffix: "cloud.adc-e.uk",
      dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "eu-isoe-west-1"
    }
  },
  {
    id: "aws-iso-f",
    regionRegex: /^us\-isof\-\w+\-\d+$/,
    regions: ["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"],
    outputs: {
      name: "aws-iso-f",
      dnsSuffix: "csp.hci.ic.gov",
      dualStackDnsSuffix: "api.aws.hci.ic.gov",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "us-isof-south-1"
    }
  },
  {
    id: "aws-us-gov",
    regionRegex: /^us\-gov\-\w+\-\d+$/,
    regions: ["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"],
    outputs: {
      name: "aws-us-gov",
      dnsSuffix: "amazonaws.com",
      dualStackDnsSuffix: "api.aws",
      supportsFIPS: true,
      supportsDualStack: true,
      implicitGlobalRegion: "us-gov-west-1"
    }
  }
]

/**
 * `aws.partition(region)` with the Smithy rules-engine semantics: a region
 * listed explicitly by any partition wins; otherwise the first partition whose
 * `regionRegex` matches; otherwise the `aws` partition. It therefore never
 * fails: an unknown region resolves like a commercial one.
 */
export const partitionOf = (region: string): PartitionOutputs =>
  (
    partitions.find((p) => p.regions.includes(region)) ??
    partitions.find((p) => p.regionRegex.test(region)) ??
    partitions.find((p) => p.id === "aws")!
  ).outputs
