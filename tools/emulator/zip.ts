// A minimal zip writer (entries stored, not compressed) for the Lambda bundles the emulator
// hands Terraform: the archive format (PKWARE APPNOTE 6.3.x, local file headers, central
// directory, end record) with fixed timestamps, so the same bundle is the same bytes.
import * as zlib from "node:zlib";

/** 1980-01-01 00:00, the earliest DOS date: every entry gets it, for reproducible bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function storedZip(files: Readonly<Record<string, Buffer | string>>): Buffer {
    const locals: Buffer[] = [];
    const centrals: Buffer[] = [];
    let offset = 0;
    for (const [name, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
        const data = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
        const fileName = Buffer.from(name, "utf8");
        const crc = zlib.crc32(data);
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4); // version needed
        local.writeUInt16LE(0x0800, 6); // UTF-8 names
        local.writeUInt16LE(0, 8); // stored
        local.writeUInt16LE(DOS_TIME, 10);
        local.writeUInt16LE(DOS_DATE, 12);
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(data.length, 18);
        local.writeUInt32LE(data.length, 22);
        local.writeUInt16LE(fileName.length, 26);
        local.writeUInt16LE(0, 28);
        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
        central.writeUInt16LE(20, 6);
        central.writeUInt16LE(0x0800, 8);
        central.writeUInt16LE(0, 10);
        central.writeUInt16LE(DOS_TIME, 12);
        central.writeUInt16LE(DOS_DATE, 14);
        central.writeUInt32LE(crc, 16);
        central.writeUInt32LE(data.length, 20);
        central.writeUInt32LE(data.length, 24);
        central.writeUInt16LE(fileName.length, 28);
        central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
        central.writeUInt32LE(offset, 42);
        locals.push(local, fileName, data);
        centrals.push(central, fileName);
        offset += local.length + fileName.length + data.length;
    }
    const directory = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    const count = Object.keys(files).length;
    end.writeUInt16LE(count, 8);
    end.writeUInt16LE(count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, directory, end]);
}

/** The files of a Pulumi AssetArchive of StringAssets, as the mock runtime recorded it. */
export async function archiveFiles(archive: unknown): Promise<Record<string, string>> {
    const assets = await (archive as { assets: Promise<Record<string, { text: Promise<string> }>> | Record<string, { text: Promise<string> }> }).assets;
    const files: Record<string, string> = {};
    for (const [name, asset] of Object.entries(assets)) {
        const text = await asset.text;
        if (typeof text !== "string") {
            throw new Error(`archive entry ${name} is not a text asset`);
        }
        files[name] = text;
    }
    return files;
}
