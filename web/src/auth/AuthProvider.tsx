import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { components } from "../../../gen/ts/schema";
import { COOKIE_DELIVERY } from "../api/client";
import { ApiError } from "../api/errors";
import { api, authApi, queryClient, tokens } from "../app/services";
import { accessToken } from "./tokens";

export type Me = components["schemas"]["Me"];
export type Role = components["schemas"]["Role"];
type Registration = components["schemas"]["RegisterRequest"];

export type AuthState = { status: "loading" } | { status: "signed-out"; reason?: string } | { status: "signed-in"; me: Me };

interface Auth {
  state: AuthState;
  signIn(email: string, password: string): Promise<void>;
  signUp(registration: Registration): Promise<void>;
  signOut(): Promise<void>;
  /** Changes the password; this tab stays signed in, every other sign-in of the user ends. */
  changePassword(current: string, next: string): Promise<void>;
  /** Reads the user again (after changing their name or preferences). */
  reload(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

const RANK: Record<Role, number> = { viewer: 0, engineer: 1, admin: 2 };

/** Whether a role may do what minimum may: viewer < engineer < admin. */
export function atLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

async function loadMe(): Promise<Me> {
  const { data } = await api.GET("/api/v1/auth/me");
  return data!;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: "loading" });
  const status = useRef(state.status);
  status.current = state.status;

  const enter = useCallback(async () => {
    try {
      setState({ status: "signed-in", me: await loadMe() });
    } catch {
      setState({ status: "signed-out" });
    }
  }, []);

  // Restore the sign-in from the cookie; follow sign-ins and sign-outs of other tabs.
  useEffect(() => {
    let active = true;
    tokens
      .refresh()
      .then((t) => {
        if (!active) return;
        if (t) void enter();
        else setState({ status: "signed-out" });
      })
      .catch(() => active && setState({ status: "signed-out" }));
    const unsubscribe = tokens.subscribe((t, reason) => {
      if (t === null) {
        queryClient.clear();
        setState({ status: "signed-out", ...(reason && { reason }) });
      } else if (status.current === "signed-out") {
        void enter(); // another tab signed in
      }
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, [enter]);

  // Refresh ahead of expiry, in the visible tab only: the others receive its token.
  useEffect(() => {
    if (state.status !== "signed-in") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      const delay = tokens.refreshDelay();
      if (delay === null || document.visibilityState !== "visible") return;
      timer = setTimeout(() => void tokens.refresh().catch(() => undefined).finally(schedule), delay);
    };
    const unsubscribe = tokens.subscribe(schedule);
    document.addEventListener("visibilitychange", schedule);
    schedule();
    return () => {
      clearTimeout(timer);
      unsubscribe();
      document.removeEventListener("visibilitychange", schedule);
    };
  }, [state.status]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const { data } = await authApi.POST("/api/v1/auth/login/json", {
        params: { header: COOKIE_DELIVERY },
        body: { email, password },
      });
      status.current = "loading"; // this tab loads the user itself
      tokens.set(accessToken(data!.access_token, data!.expires_in, Date.now()));
      await enter();
    },
    [enter],
  );

  const signUp = useCallback(
    async (registration: Registration) => {
      const { data } = await authApi.POST("/api/v1/auth/register", {
        params: { header: COOKIE_DELIVERY },
        body: registration,
      });
      status.current = "loading";
      tokens.set(accessToken(data!.tokens.access_token, data!.tokens.expires_in, Date.now()));
      setState({ status: "signed-in", me: { user: data!.user, account: data!.account } });
    },
    [],
  );

  // Only a sign-out the server confirmed ends the sign-in here: otherwise the cookie would still
  // sign the next person at this browser back in. A failure is the caller's to show.
  const signOut = useCallback(async () => {
    await api.POST("/api/v1/auth/logout", { params: { header: COOKIE_DELIVERY } });
    tokens.clear();
    queryClient.clear();
    setState({ status: "signed-out" });
  }, []);

  // The server revokes every refresh token of the user, this browser's cookie included: sign
  // this tab in again with the new password, and tell the other tabs to do the same.
  const changePassword = useCallback(async (current: string, next: string) => {
    if (state.status !== "signed-in") return;
    await api.POST("/api/v1/auth/password", { body: { current_password: current, new_password: next } });
    tokens.signOutOthers("Your password was changed in another tab: sign in with the new one.");
    try {
      const { data } = await authApi.POST("/api/v1/auth/login/json", { params: { header: COOKIE_DELIVERY }, body: { email: state.me.user.email, password: next } });
      status.current = "loading";
      tokens.set(accessToken(data!.access_token, data!.expires_in, Date.now()), { share: false });
      await enter();
    } catch {
      throw new Error("Your password is changed, but this tab could not sign in again with it: sign in with the new password.");
    }
  }, [state, enter]);

  // After a change to the signed-in user (their name, their own role): only a refused token
  // signs out; a failed read leaves the sign-in as it was and is the caller's to show.
  const reload = useCallback(async () => {
    try {
      setState({ status: "signed-in", me: await loadMe() });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setState({ status: "signed-out" });
      else throw err;
    }
  }, []);

  const value = useMemo(() => ({ state, signIn, signUp, signOut, changePassword, reload }), [state, signIn, signUp, signOut, changePassword, reload]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}

/** The signed-in user; only inside pages that require a sign-in. */
export function useMe(): Me {
  const { state } = useAuth();
  if (state.status !== "signed-in") throw new Error("useMe outside a signed-in page");
  return state.me;
}
