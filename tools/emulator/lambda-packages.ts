/**
 * The deployment packages of a stack's Lambda functions, for the emulator: each function's
 * Pulumi archive (its files, as the program built them) written as a zip that Terraform's
 * `aws_lambda_function.filename` uploads. Pulumi makes that zip itself on `pulumi up`; under
 * Terraform the renderer names a file in the stack's working directory, and this writes it.
 * Deterministic (fixed timestamps and modes, files in name order), so a second plan sees the
 * same `source_code_hash`. No network: the archive is already in memory.
 */
import { createHash } from "node:crypto";
import { ZipFile } from "yazl";
import type { RecordedResource, ResourceGraph } from "../resource-graph";

export const LAMBDA_FUNCTION_TYPE = "aws:lambda/function:Function";

/** Where a function's zip goes, relative to the stack's Terraform working directory. */
export function packageFile(resourceName: string): string {
    return `functions/${resourceName.replace(/[^A-Za-z0-9_-]/g, "_")}.zip`;
}

export interface FunctionPackage {
    /** The function resource's name in the graph. */
    readonly resourceName: string;
    /** Relative to the working directory (packageFile). */
    readonly file: string;
    readonly zip: Buffer;
    /** What the provider computes from the file: base64 of its SHA-256. */
    readonly sourceCodeHash: string;
}

/** The part of a Pulumi archive the emulator reads: named assets holding text. */
interface ArchiveLike {
    readonly assets: Promise<Record<string, { readonly text?: Promise<string> }>> | Record<string, { readonly text?: Promise<string> }>;
}

function isArchive(value: unknown): value is ArchiveLike {
    return typeof value === "object" && value !== null && (value as { __pulumiArchive?: unknown }).__pulumiArchive === true && "assets" in value;
}

/** A fixed time for every entry: the zip's bytes depend on the files alone. */
const ENTRY_TIME = new Date(Date.UTC(2020, 0, 1));

/** The archive's files as a zip, in name order, each with the same time and mode. */
export async function zipOfArchive(archive: unknown, where: string): Promise<Buffer> {
    if (!isArchive(archive)) {
        throw new Error(`${where}: the code is not an archive of assets (got ${JSON.stringify(archive)})`);
    }
    const assets = await archive.assets;
    const zip = new ZipFile();
    for (const name of Object.keys(assets).sort()) {
        const text = await assets[name].text;
        if (text === undefined) {
            throw new Error(`${where}: ${name} is not a text asset; only StringAssets are packaged`);
        }
        zip.addBuffer(Buffer.from(text, "utf8"), name, { mtime: ENTRY_TIME, mode: 0o100644, compress: true });
    }
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
}

/** Every Lambda function's package in the graph. */
export async function functionPackagesOf(graph: ResourceGraph): Promise<FunctionPackage[]> {
    return Promise.all(
        graph.ofType(LAMBDA_FUNCTION_TYPE).map(async (resource: RecordedResource) => {
            const zip = await zipOfArchive(resource.inputs.code, `${resource.type} ${resource.name}.code`);
            return {
                resourceName: resource.name,
                file: packageFile(resource.name),
                zip,
                sourceCodeHash: createHash("sha256").update(zip).digest("base64"),
            };
        }),
    );
}
