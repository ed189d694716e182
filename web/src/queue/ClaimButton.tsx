import { useQueryClient } from "@tanstack/react-query";
import { Hand } from "lucide-react";
import { $api } from "../app/services";
import { ApiError, sentence } from "../api/errors";
import { handoffKey, queueKey } from "../stream/queries";
import { Alert, ProblemAlert } from "../ui/Alert";
import { Button } from "../ui/Button";

/**
 * Claims a handoff. Claims are first come, first served: a second engineer is told who got
 * there first (the server names them in its 409), and sees the handoff as it is now.
 */
export function useClaim(id: string) {
  const client = useQueryClient();
  return $api.useMutation("post", "/api/v1/ai-sessions/escalations/{id}/claim", {
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: queueKey }), client.invalidateQueries({ queryKey: handoffKey(id) })]),
  });
}

export function ClaimButton({ id, claim, size = "md", label }: { id: string; claim: ReturnType<typeof useClaim>; size?: "sm" | "md" | "lg"; label?: string }) {
  return (
    <Button variant="primary" size={size} icon={<Hand size={16} aria-hidden />} busy={claim.isPending} onClick={() => claim.mutate({ params: { path: { id } } })} aria-label={label}>
      Claim
    </Button>
  );
}

export function ClaimError({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 409) {
    return <Alert tone="warning" title={sentence(error.problem.detail ?? "Someone else got there first.")} />;
  }
  return <ProblemAlert error={error} />;
}
