import type { components } from "../../../gen/ts/schema";
import type { Tone } from "./Badge";

type Priority = components["schemas"]["Priority"];
type HandoffStatus = components["schemas"]["HandoffStatus"];
type SessionStatus = components["schemas"]["SessionStatus"];

export const PRIORITIES: Priority[] = ["urgent", "high", "normal", "low"];

export const priorityLabel: Record<Priority, string> = { urgent: "Urgent", high: "High", normal: "Normal", low: "Low" };
export const priorityTone: Record<Priority, Tone> = { urgent: "danger", high: "warning", normal: "info", low: "neutral" };

export const handoffStatusLabel: Record<HandoffStatus, string> = { open: "Open", claimed: "Claimed", resolved: "Resolved", cancelled: "Cancelled" };
export const handoffStatusTone: Record<HandoffStatus, Tone> = { open: "accent", claimed: "info", resolved: "success", cancelled: "neutral" };

export const sessionStatusLabel: Record<SessionStatus, string> = {
  in_progress: "In progress",
  resolved: "Resolved",
  escalated: "Escalated",
  abandoned: "Abandoned",
};
export const sessionStatusTone: Record<SessionStatus, Tone> = { in_progress: "accent", resolved: "success", escalated: "warning", abandoned: "neutral" };
