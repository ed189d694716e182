// Reading a tree with the ETag its edits must send back, and the version it is shown at.
import { useQuery } from "@tanstack/react-query";
import type { components } from "../../../gen/ts/schema";
import { api } from "../app/services";

export type Tree = components["schemas"]["Tree"];

/** The key of a tree with its ETag (not an openapi-react-query key: the ETag is a header). */
export const treeKey = (id: string) => ["tree", id] as const;

export function useTree(id: string) {
  return useQuery({
    queryKey: treeKey(id),
    enabled: id !== "",
    queryFn: async () => {
      const { data, response } = await api.GET("/api/v1/trees/{id}", { params: { path: { id } } });
      return { tree: data!, etag: response.headers.get("ETag") ?? "" };
    },
  });
}
