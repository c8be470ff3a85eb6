/**
 * The architecture diagram as a Graphviz graph, and its SVG (Graphviz compiled to WebAssembly).
 *
 * Laid out top to bottom so it fits a page: client, gateway stack, origin stack. Titles are
 * plain-text nodes rather than cluster labels, because Graphviz routes edges and their labels
 * around nodes but straight through a cluster's label.
 */
import type { Edge, Graph as GraphvizGraph, Subgraph as GraphvizSubgraph } from "@viz-js/viz";
import { Diagram, DiagramGroup, DiagramNode, GROUP_COLORS, NodeShape } from "./diagram";

type VizModule = typeof import("@viz-js/viz");

/** Graphviz reads `\n`, `\l`, `\N`, ... in labels as escapes: keep a literal backslash literal. */
function graphvizText(lines: readonly string[]): string {
    return lines.map((line) => line.replace(/\\/g, "\\\\")).join("\\n");
}

const GRAPHVIZ_SHAPES: Record<NodeShape, Record<string, string>> = {
    box: { shape: "box", style: "filled" },
    rounded: { shape: "box", style: "rounded,filled" },
    stadium: { shape: "oval", style: "filled" },
    cylinder: { shape: "cylinder", style: "filled" },
    hexagon: { shape: "hexagon", style: "filled" },
};

/** The plain-text node that carries a group's title. */
export function titleNodeOf(group: DiagramGroup): string {
    return `title_${group.id}`;
}

/** The node that carries the diagram's own title, above everything. */
export const DIAGRAM_TITLE_NODE = "title_diagram";

function nodeIdsIn(group: DiagramGroup): string[] {
    return [...group.nodes.map((node) => node.id), ...group.groups.flatMap(nodeIdsIn)];
}

interface Link {
    readonly from: string;
    readonly to: string;
}

function invisible(link: Link, weight?: number): Edge {
    const attributes: Record<string, string | number> = { style: "invis" };
    if (weight !== undefined) attributes.weight = weight;
    return { tail: link.from, head: link.to, attributes };
}

/** The same diagram as a Graphviz graph object: clusters for groups, `compound` for group edges. */
export function graphvizOf(diagram: Diagram): GraphvizGraph {
    const groupsById = new Map<string, DiagramGroup>();
    const index = (group: DiagramGroup) => {
        groupsById.set(group.id, group);
        group.groups.forEach(index);
    };
    diagram.groups.forEach(index);
    // An edge to a cluster is drawn to a node inside it and clipped at the cluster's border.
    const anchorOf = (group: DiagramGroup): string | undefined =>
        group.nodes[0]?.id ?? group.groups.map(anchorOf).find((id) => id !== undefined);
    const endpoint = (id: string): { node: string; cluster?: string } => {
        const group = groupsById.get(id);
        return group ? { node: anchorOf(group) ?? id, cluster: `cluster_${group.id}` } : { node: id };
    };
    const node = (item: DiagramNode) => ({ name: item.id, attributes: { label: graphvizText(item.lines), ...GRAPHVIZ_SHAPES[item.shape] } });
    const titleNode = (name: string, title: string, fontsize: number) => ({
        name,
        attributes: { label: graphvizText([title]), shape: "plaintext", fontsize, margin: "0.2,0.04" },
    });

    // What places nodes: the drawn edges (a group's edge ends at its anchor) and the columns.
    const columnLinks: Link[] = (diagram.columns ?? []).flatMap((column) => column.slice(1).map((to, position) => ({ from: column[position], to })));
    const links: Link[] = [
        ...diagram.edges.filter((edge) => !edge.loose).map((edge) => ({ from: endpoint(edge.from).node, to: endpoint(edge.to).node })),
        ...columnLinks,
    ];

    // A group's title sits above its first nodes (those nothing inside it leads to) and its
    // inner groups' titles.
    const titleLinks: Link[] = [];
    const innerTitleLinks: Link[] = [];
    const subgraph = (group: DiagramGroup): GraphvizSubgraph => {
        const colors = GROUP_COLORS[group.style];
        const inside = nodeIdsIn(group);
        const firsts = group.nodes.map((item) => item.id).filter((id) => !links.some((link) => link.to === id && inside.includes(link.from)));
        titleLinks.push(...firsts.map((to) => ({ from: titleNodeOf(group), to })));
        innerTitleLinks.push(...group.groups.map((inner) => ({ from: titleNodeOf(group), to: titleNodeOf(inner) })));
        return {
            name: `cluster_${group.id}`,
            graphAttributes: { style: colors.dashed ? "rounded,dashed,filled" : "rounded,filled", fillcolor: colors.fill, color: colors.stroke },
            nodes: [titleNode(titleNodeOf(group), group.title, 11), ...group.nodes.map(node)],
            subgraphs: group.groups.map(subgraph),
        };
    };
    const subgraphs = diagram.groups.map(subgraph);

    // Each top-level group (a stack) or node below the one before it: the nodes that end the
    // one above are above the title of the next. Weightless, so they pull nothing sideways.
    const layers = (diagram.topToBottom ?? diagram.groups.map((group) => group.id)).map((id) => {
        const group = diagram.groups.find((candidate) => candidate.id === id);
        return group ? { top: titleNodeOf(group), nodes: nodeIdsIn(group) } : { top: id, nodes: [id] };
    });
    const stackLinks: Link[] = layers.slice(1).flatMap((layer, position) => {
        const above = layers[position].nodes;
        const lasts = above.filter((id) => !links.some((link) => link.from === id && above.includes(link.to)));
        return lasts.map((from) => ({ from, to: layer.top }));
    });
    const tops = [...diagram.nodes.map((item) => item.id), ...diagram.groups.slice(0, 1).map(titleNodeOf)];

    return {
        name: "architecture",
        directed: true,
        graphAttributes: {
            rankdir: "TB",
            // One ranking across clusters, so "below the gateway stack" holds for the origin stack.
            newrank: true,
            compound: true,
            nodesep: 0.22,
            // Room for text a viewer draws wider than Graphviz measured (no Helvetica: DejaVu Sans).
            pad: 0.15,
            ranksep: 0.45,
        },
        // Generous margins: viewers without Helvetica draw wider text than Graphviz measured.
        nodeAttributes: { fontname: "Helvetica", fontsize: 10, fillcolor: "#ffffff", color: "#555555", margin: "0.22,0.08" },
        edgeAttributes: { fontname: "Helvetica", fontsize: 9, color: "#444444" },
        nodes: [titleNode(DIAGRAM_TITLE_NODE, diagram.title, 12), ...diagram.nodes.map(node)],
        subgraphs,
        edges: [
            ...diagram.edges.map((edge) => {
                const tail = endpoint(edge.from);
                const head = endpoint(edge.to);
                const attributes: Record<string, string> = {};
                // A loose edge's label would sit where the edge would have been ranked, far from
                // its line; an external label is placed next to the line as drawn.
                if (edge.label) attributes[edge.loose ? "xlabel" : "label"] = graphvizText([edge.label]);
                if (edge.dashed) attributes.style = "dashed";
                if (tail.cluster) attributes.ltail = tail.cluster;
                if (head.cluster) attributes.lhead = head.cluster;
                if (edge.loose) attributes.constraint = "false";
                return { tail: tail.node, head: head.node, attributes };
            }),
            ...tops.map((to) => invisible({ from: DIAGRAM_TITLE_NODE, to })),
            ...titleLinks.map((link) => invisible(link)),
            // Weightless: an inner group's title stays next to its own nodes, wherever they are.
            ...innerTitleLinks.map((link) => invisible(link, 0)),
            ...stackLinks.map((link) => invisible(link, 0)),
            // Each column's nodes one under the other.
            ...columnLinks.map((link) => invisible(link)),
        ],
    };
}

type VizRenderer = Awaited<ReturnType<VizModule["instance"]>>;

/** This process's Graphviz, once it has been compiled (see `vizInstance`). */
let vizRenderer: Promise<VizRenderer> | undefined;

/**
 * Graphviz compiled to WebAssembly, loaded on first use (a mistyped command should not wait for
 * it) and then kept: every `instance()` compiles the module anew, while one instance renders
 * any number of graphs (the plan draws one per stack, its specs lay several out again).
 */
export function vizInstance(): Promise<VizRenderer> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    vizRenderer ??= (require("@viz-js/viz") as VizModule).instance();
    return vizRenderer;
}

/** Renders the diagram to SVG with Graphviz compiled to WebAssembly: no browser, no binary. */
export async function svgOf(diagram: Diagram): Promise<string> {
    const renderer = await vizInstance();
    return renderer.renderString(graphvizOf(diagram), { format: "svg" });
}
