// A tree's definition as a file, to move it between accounts: exported from one version, and
// imported as a new draft (which the server then checks, like any draft).
import type { components } from "../../../gen/ts/schema";

type Tree = components["schemas"]["Tree"];
type TreeWrite = components["schemas"]["TreeWrite"];
type Definition = components["schemas"]["TreeDefinition"];

export const FORMAT = "resolutionflow-tree";

export interface TreeFile {
  format: typeof FORMAT;
  format_version: 1;
  title: string;
  description: string;
  category: string;
  tags: string[];
  /** The version the definition was exported from. */
  version: number;
  definition: Definition;
}

export function toFile(tree: Pick<Tree, "title" | "description" | "category" | "tags">, version: number, definition: Definition): TreeFile {
  return { format: FORMAT, format_version: 1, title: tree.title, description: tree.description, category: tree.category, tags: tree.tags, version, definition };
}

/** A file name for the export: the title, made safe, and the version. */
export function fileName(title: string, version: number): string {
  const slug = title.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "tree";
  return `${slug}.v${version}.json`;
}

function isDefinition(v: unknown): v is Definition {
  return typeof v === "object" && v !== null && typeof (v as Definition).root === "string" && Array.isArray((v as Definition).nodes);
}

/**
 * Reads an exported file (or a bare definition) into the draft to create. Throws an Error that
 * says what is wrong with the file; what is wrong with the tree itself is the server's to say.
 */
export function fromFile(text: string, name: string): TreeWrite {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${name} is not JSON: export a tree from ResolutionFlow and import that file.`);
  }
  if (isDefinition(data)) {
    return { title: name.replace(/\.json$/i, "").replace(/\.v\d+$/, ""), category: "Imported", status: "draft", definition: data };
  }
  const f = data as Partial<TreeFile>;
  if (f.format !== FORMAT || !isDefinition(f.definition)) {
    throw new Error(`${name} is not a ResolutionFlow tree: it has no definition with a root and nodes.`);
  }
  return {
    title: typeof f.title === "string" && f.title.trim() ? f.title : name,
    category: typeof f.category === "string" && f.category.trim() ? f.category : "Imported",
    ...(typeof f.description === "string" && f.description && { description: f.description }),
    tags: Array.isArray(f.tags) ? f.tags.filter((t): t is string => typeof t === "string") : [],
    status: "draft",
    definition: f.definition,
  };
}
