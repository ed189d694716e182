import { QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, Navigate } from "react-router";
import { RouterProvider } from "react-router/dom";
import { AuthProvider, atLeast, useMe } from "../auth/AuthProvider";
import { SignInPage } from "../auth/SignInPage";
import { Layout } from "./Layout";
import { NotFound, RequireAuth, RequireRole, RouteError } from "./guards";
import { queryClient } from "./services";

function Home() {
  const me = useMe();
  return <Navigate to={atLeast(me.user.role, "engineer") ? "/queue" : "/trees"} replace />;
}

// Each area loads on its own route: the queue's budget does not pay for the session screens.
const router = createBrowserRouter([
  { path: "/login", element: <SignInPage />, errorElement: <RouteError /> },
  { path: "/signup", lazy: () => import("../auth/SignUpPage").then((m) => ({ Component: m.SignUpPage })) },
  {
    path: "/",
    element: (
      <RequireAuth>
        <Layout />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Home /> },
      { path: "trees", lazy: () => import("../trees/TreesPage").then((m) => ({ Component: m.TreesPage })) },
      { path: "trees/:id", lazy: () => import("../trees/TreePage").then((m) => ({ Component: m.TreePage })) },
      { path: "sessions", lazy: () => import("../sessions/MySessionsPage").then((m) => ({ Component: m.MySessionsPage })) },
      { path: "sessions/:id", lazy: () => import("../sessions/SessionPage").then((m) => ({ Component: m.SessionPage })) },
      { path: "assistant", lazy: () => import("../assistant/AssistantPage").then((m) => ({ Component: m.AssistantPage })) },
      { path: "assistant/:id", lazy: () => import("../assistant/ChatPage").then((m) => ({ Component: m.ChatPage })) },
      { path: "profile", lazy: () => import("../auth/ProfilePage").then((m) => ({ Component: m.ProfilePage })) },
      {
        element: <RequireRole role="engineer" />,
        children: [
          { path: "queue", lazy: () => import("../queue/QueuePage").then((m) => ({ Component: m.QueuePage })) },
          { path: "escalations/:id", lazy: () => import("../queue/HandoffPage").then((m) => ({ Component: m.HandoffPage })) },
          { path: "trees/new", lazy: () => import("../trees/EditorPage").then((m) => ({ Component: m.EditorPage })) },
          { path: "trees/:id/edit", lazy: () => import("../trees/EditorPage").then((m) => ({ Component: m.EditorPage })) },
        ],
      },
      {
        element: <RequireRole role="admin" />,
        children: [{ path: "admin/users", lazy: () => import("../admin/UsersPage").then((m) => ({ Component: m.UsersPage })) }],
      },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>
  );
}
