// The open connections of a chat room, one DynamoDB item each: written on $connect, deleted on
// $disconnect or when a post finds the connection gone, and expired by DynamoDB's TTL when
// API Gateway closed it without a $disconnect reaching us.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { CONNECTION_KEY, EXPIRY_ATTRIBUTE, MAX_CONNECTION_SECONDS } from "./table-schema";

export { CONNECTION_KEY, EXPIRY_ATTRIBUTE, MAX_CONNECTION_SECONDS };

export interface ConnectionRecord {
    readonly connectionId: string;
    /** Epoch seconds: DynamoDB's TTL deletes the item after this. */
    readonly expiresAt: number;
    readonly connectedAt: number;
    /** The REQUEST authorizer's principal, when the connection was authorized by one. */
    readonly principalId?: string;
}

export class ConnectionStore {
    private readonly documents: DynamoDBDocumentClient;

    constructor(
        private readonly tableName: string,
        client: DynamoDBClient,
    ) {
        this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    }

    async add(connectionId: string, nowSeconds: number, principalId?: string): Promise<ConnectionRecord> {
        const record: ConnectionRecord = { connectionId, connectedAt: nowSeconds, expiresAt: nowSeconds + MAX_CONNECTION_SECONDS, principalId };
        await this.documents.send(new PutCommand({ TableName: this.tableName, Item: record }));
        return record;
    }

    async remove(connectionId: string): Promise<void> {
        await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { [CONNECTION_KEY]: connectionId } }));
    }

    /**
     * Every connection not yet past its expiry. DynamoDB deletes expired items only eventually
     * (within a few days, "How TTL works", DynamoDB Developer Guide), so the scan filters them.
     */
    async open(nowSeconds: number): Promise<string[]> {
        const ids: string[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
            const page = await this.documents.send(
                new ScanCommand({
                    TableName: this.tableName,
                    ProjectionExpression: "#id",
                    FilterExpression: "#expires > :now",
                    ExpressionAttributeNames: { "#id": CONNECTION_KEY, "#expires": EXPIRY_ATTRIBUTE },
                    ExpressionAttributeValues: { ":now": nowSeconds },
                    ExclusiveStartKey: startKey,
                }),
            );
            for (const item of page.Items ?? []) {
                ids.push(String(item[CONNECTION_KEY]));
            }
            startKey = page.LastEvaluatedKey;
        } while (startKey !== undefined);
        return ids;
    }
}
