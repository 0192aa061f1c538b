import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";

// The floor of a function's cold start: the two SDK clients a function cannot do without,
// constructed, and nothing of the service. Bundled with the functions' own build options.
export const clients = [new DynamoDBClient({}), new SNSClient({})];
