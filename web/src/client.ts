// The frontend's API client: openapi-fetch typed by the schema generated from api/openapi.yaml.
// Compiling this file is the check that the generated types are usable as the frontend uses them.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../../gen/ts/schema";

export type Problem = components["schemas"]["Problem"];
export type TokenPair = components["schemas"]["TokenPair"];

export function createApiClient(baseUrl: string, accessToken: () => string | undefined) {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = accessToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

export async function signIn(baseUrl: string, email: string, password: string): Promise<TokenPair> {
  const { data, error } = await createClient<paths>({ baseUrl }).POST("/api/v1/auth/login/json", {
    body: { email, password },
  });
  if (error) throw new Error(error.detail ?? error.title);
  return data;
}
