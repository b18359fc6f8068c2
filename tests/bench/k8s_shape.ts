/**
 * Writes a thin manifest directory shaped like the Kubernetes production set: sub-manifests
 * each promoting one staging project to 20 Artifact Registry regions, with digests spread
 * over a few images per project and 1-3 tags per digest. Deterministic for a given shape.
 */
import { createHash } from "node:crypto";

/** The size of the generated set. */
export interface K8sShape {
  manifests: number;
  registriesPerManifest: number;
  digests: number;
  imagesPerManifest: number;
}

/** The Kubernetes production set: 80 sub-manifests, 20 regions, 12,000 digests. */
export const K8S_PRODUCTION: K8sShape = {
  manifests: 80,
  registriesPerManifest: 20,
  digests: 12_000,
  imagesPerManifest: 5,
};

/** Artifact Registry regions the destinations are spread over. */
const REGIONS = [
  "asia-east1",
  "asia-northeast1",
  "asia-south1",
  "australia-southeast1",
  "europe-north1",
  "europe-southwest1",
  "europe-west1",
  "europe-west2",
  "europe-west3",
  "europe-west4",
  "europe-west8",
  "europe-west9",
  "southamerica-west1",
  "us-central1",
  "us-east1",
  "us-east4",
  "us-east5",
  "us-south1",
  "us-west1",
  "us-west2",
  "me-central1",
  "africa-south1",
];

/** What was written: counts to compare the summary of `cip --parse-only` with. */
export interface WrittenSet {
  manifests: number;
  registries: number;
  images: number;
  digests: number;
  edges: number;
}

/** Writes the set below `dir` (which must exist) and returns its counts. */
export async function writeK8sShapedThinDir(dir: string, shape: K8sShape): Promise<WrittenSet> {
  if (shape.registriesPerManifest > REGIONS.length) {
    throw new RangeError(`at most ${REGIONS.length} destination registries per manifest`);
  }
  const written: WrittenSet = { manifests: 0, registries: 0, images: 0, digests: 0, edges: 0 };
  let serial = 0;
  for (let m = 0; m < shape.manifests; m++) {
    const project = `project-${String(m).padStart(3, "0")}`;
    const regs = [`- name: gcr.io/k8s-staging-${project}\n  src: true\n`];
    for (const region of REGIONS.slice(0, shape.registriesPerManifest)) {
      regs.push(
        `- name: ${region}-docker.pkg.dev/k8s-artifacts-prod/images/${project}\n` +
          "  service-account: k8s-infra-gcr-promoter@k8s-artifacts-prod.iam.gserviceaccount.com\n",
      );
    }
    const digestsHere = Math.floor(shape.digests / shape.manifests) +
      (m < shape.digests % shape.manifests ? 1 : 0);
    const images: string[] = [];
    for (let i = 0; i < shape.imagesPerManifest; i++) {
      const count = Math.floor(digestsHere / shape.imagesPerManifest) +
        (i < digestsHere % shape.imagesPerManifest ? 1 : 0);
      if (count === 0) continue;
      const lines = [`- name: ${i === 0 ? project : `${project}/component-${i}`}\n  dmap:\n`];
      for (let d = 0; d < count; d++) {
        serial++;
        const hex = createHash("sha256").update(`digest ${serial}`).digest("hex");
        const tagCount = 1 + (serial % 3);
        const tags = [
          `v1.${Math.floor(d / 10)}.${d % 10}`,
          `v1.${Math.floor(d / 10)}.${d % 10}-amd64`,
          `build-${serial}`,
        ]
          .slice(0, tagCount);
        lines.push(`    "sha256:${hex}": [${tags.map((t) => `"${t}"`).join(", ")}]\n`);
        written.digests++;
        written.edges += tagCount * shape.registriesPerManifest;
      }
      images.push(lines.join(""));
      written.images++;
    }
    await Deno.mkdir(`${dir}/manifests/${project}`, { recursive: true });
    await Deno.mkdir(`${dir}/images/${project}`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/manifests/${project}/promoter-manifest.yaml`,
      `registries:\n${regs.join("")}`,
    );
    await Deno.writeTextFile(`${dir}/images/${project}/images.yaml`, images.join(""));
    written.manifests++;
    written.registries += regs.length;
  }
  return written;
}
