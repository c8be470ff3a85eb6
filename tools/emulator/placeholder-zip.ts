// The deployment package the emulator hands Terraform for a Lambda function: under the mock
// runtime a Pulumi archive arrives without its contents, and moto never runs a function (that
// needs Docker), so the gate sends one small, fixed ZIP in its place and prints that it did.
import { crc32 } from "node:zlib";

/** The file name of the placeholder package in each stack's Terraform folder. */
export const PLACEHOLDER_PACKAGE = "lambda-placeholder.zip";

/** What the placeholder's index.js says it is. */
export const PLACEHOLDER_SOURCE = "// hello-gateway emulator placeholder: moto stores this package and never runs it.\nexports.handler = async () => ({ statusCode: 501 });\n";

/**
 * A ZIP with one stored (uncompressed) entry and a fixed timestamp, so the same bytes every run:
 * local file header, data, central directory header, end of central directory (APPNOTE 4.3).
 */
export function placeholderPackage(fileName = "index.js", content = PLACEHOLDER_SOURCE): Buffer {
    const name = Buffer.from(fileName, "utf8");
    const data = Buffer.from(content, "utf8");
    const checksum = crc32(data);
    const dosTime = 0;
    const dosDate = (1 << 5) | 1; // 1980-01-01
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6); // needed
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal attributes: 0; external attributes: a regular file, 0644.
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(0, 42); // offset of the local header
    const centralSize = central.length + name.length;
    const centralOffset = local.length + name.length + data.length;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(centralSize, 12);
    end.writeUInt32LE(centralOffset, 16);
    return Buffer.concat([local, name, data, central, name, end]);
}
