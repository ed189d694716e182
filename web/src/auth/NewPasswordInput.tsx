import type { InputHTMLAttributes } from "react";
import { TextInput } from "../ui/Field";

/** The server's rule for new passwords (NewPassword in the contract). */
export const MIN_PASSWORD = 12;

/** A new password's field: it counts what is missing before the server has to say so. */
export function NewPasswordInput({ label, value, hint, error, ...rest }: { label: string; value: string; hint: string; error?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "value">) {
  const missing = value.length > 0 && value.length < MIN_PASSWORD ? `${MIN_PASSWORD - value.length} more characters needed` : undefined;
  return <TextInput label={label} type="password" autoComplete="new-password" required minLength={MIN_PASSWORD} value={value} hint={hint} error={missing ?? error} {...rest} />;
}
