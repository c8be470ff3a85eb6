import { expect } from "chai";
import { selectRoute } from "../functions/websocket/route-selection";

// API Gateway with `$request.body.action`: an action route for a JSON object whose `action`
// names one, `$default` for everything else.
describe("WebSocket route selection ($request.body.action)", () => {
    const actions = ["sendmessage", "join"];
    const table: { name: string; frame: string | undefined; routeKey: string; reason?: string }[] = [
        { name: "a valid action", frame: '{"action":"sendmessage","text":"hi"}', routeKey: "sendmessage" },
        { name: "another valid action", frame: '{"action":"join"}', routeKey: "join" },
        { name: "an unknown action", frame: '{"action":"shout","text":"hi"}', routeKey: "$default", reason: "unknown-action" },
        { name: "a predefined route named as an action", frame: '{"action":"$connect"}', routeKey: "$default", reason: "unknown-action" },
        { name: "an action of the wrong case", frame: '{"action":"SendMessage"}', routeKey: "$default", reason: "unknown-action" },
        { name: "a non-JSON body", frame: "hello there", routeKey: "$default", reason: "not-json" },
        { name: "JSON without an action", frame: '{"text":"hi"}', routeKey: "$default", reason: "no-action" },
        { name: "a non-string action", frame: '{"action":42}', routeKey: "$default", reason: "no-action" },
        { name: "a JSON array", frame: '["sendmessage"]', routeKey: "$default", reason: "no-action" },
        { name: "an empty frame", frame: "", routeKey: "$default", reason: "empty" },
        { name: "a whitespace frame", frame: "  \n", routeKey: "$default", reason: "empty" },
        { name: "no body at all", frame: undefined, routeKey: "$default", reason: "empty" },
    ];
    for (const row of table) {
        it(`${row.name} -> ${row.routeKey}`, () => {
            const selection = selectRoute(row.frame, actions);
            expect(selection.routeKey).to.equal(row.routeKey);
            expect(selection.reason).to.equal(row.reason);
        });
    }
});
