// Query keys of the session screens, as openapi-react-query builds them: [method, path, init].
export const sessionKey = (id: string) => ["get", "/api/v1/sessions/{id}", { params: { path: { id } } }] as const;
export const sessionEscalationKey = (id: string) => ["get", "/api/v1/sessions/{id}/escalation", { params: { path: { id } } }] as const;
