// The API from the test process, typed by the same generated schema as the console, to set up
// what a test needs without clicking through it (a handoff made by another technician, say).
import createClient from "openapi-fetch";
import type { components, paths } from "../../gen/ts/schema";
import type { Account } from "./harness";

export type Client = ReturnType<typeof createClient<paths>>;

export async function signedIn(baseUrl: string, who: Account): Promise<Client> {
  const anonymous = createClient<paths>({ baseUrl });
  const { data, error } = await anonymous.POST("/api/v1/auth/login/json", { body: who });
  if (!data) throw new Error(`sign-in of ${who.email}: ${JSON.stringify(error)}`);
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${data.access_token}` } });
  return client;
}

/** The printer tree's path to its escalation node, answered through the API. */
export const PRINTER_TO_ESCALATION: { node: string; option?: string }[] = [
  { node: "scope", option: "all" },
  { node: "printer_panel" },
  { node: "panel_result", option: "no_network" },
  { node: "printer_network" },
  { node: "network_result", option: "no" },
];

export async function treeId(client: Client, title: string): Promise<string> {
  const { data } = await client.GET("/api/v1/trees", { params: { query: { limit: 50 } } });
  const tree = data?.items.find((t) => t.title === title);
  if (!tree) throw new Error(`no tree ${title}`);
  return tree.id;
}

/** Runs a printer session to its escalation node and hands it off; returns the handoff id. */
type Priority = NonNullable<components["schemas"]["EscalationRequest"]["priority"]>;

export async function escalatePrinter(
  client: Client,
  summary: string,
  { priority = "high", ...extra }: { ticket_ref?: string; customer?: string; priority?: Priority } = {},
): Promise<string> {
  const tree = await treeId(client, "Printer offline");
  const { data: session } = await client.POST("/api/v1/sessions", { body: { tree_id: tree, ...extra } });
  for (const step of PRINTER_TO_ESCALATION) {
    const { error } = await client.POST("/api/v1/sessions/{id}/answer", {
      params: { path: { id: session!.id } },
      body: { node_id: step.node, ...(step.option && { option_id: step.option }) },
    });
    if (error) throw new Error(`answer ${step.node}: ${JSON.stringify(error)}`);
  }
  const { data, error } = await client.POST("/api/v1/sessions/{id}/escalate", { params: { path: { id: session!.id } }, body: { summary, priority } });
  if (!data) throw new Error(`escalate: ${JSON.stringify(error)}`);
  return data.id;
}
