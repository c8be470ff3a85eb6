/** The architecture diagram as a Graphviz graph, and its SVG (Graphviz compiled to WebAssembly). */
import type { Graph as GraphvizGraph, Subgraph as GraphvizSubgraph } from "@viz-js/viz";
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
    const subgraph = (group: DiagramGroup): GraphvizSubgraph => {
        const colors = GROUP_COLORS[group.style];
        return {
            name: `cluster_${group.id}`,
            graphAttributes: {
                label: graphvizText([group.title]),
                // Nested clusters do not inherit the root graph's font.
                fontname: "Helvetica",
                fontsize: 11,
                style: colors.dashed ? "rounded,dashed,filled" : "rounded,filled",
                fillcolor: colors.fill,
                color: colors.stroke,
            },
            nodes: group.nodes.map(node),
            subgraphs: group.groups.map(subgraph),
        };
    };
    return {
        name: "architecture",
        directed: true,
        graphAttributes: {
            rankdir: "LR",
            compound: true,
            fontname: "Helvetica",
            fontsize: 12,
            labelloc: "t",
            label: graphvizText([diagram.title]),
            nodesep: 0.35,
            ranksep: 0.55,
        },
        // Generous margins: viewers without Helvetica draw wider text than Graphviz measured.
        nodeAttributes: { fontname: "Helvetica", fontsize: 10, fillcolor: "#ffffff", color: "#555555", margin: "0.3,0.1" },
        edgeAttributes: { fontname: "Helvetica", fontsize: 9, color: "#444444" },
        nodes: diagram.nodes.map(node),
        subgraphs: diagram.groups.map(subgraph),
        edges: diagram.edges.map((edge) => {
            const tail = endpoint(edge.from);
            const head = endpoint(edge.to);
            const attributes: Record<string, string> = {};
            if (edge.label) attributes.label = graphvizText([edge.label]);
            if (edge.dashed) attributes.style = "dashed";
            if (tail.cluster) attributes.ltail = tail.cluster;
            if (head.cluster) attributes.lhead = head.cluster;
            return { tail: tail.node, head: head.node, attributes };
        }),
    };
}

/** Renders the diagram to SVG with Graphviz compiled to WebAssembly: no browser, no binary. */
export async function svgOf(diagram: Diagram): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const viz = (require("@viz-js/viz") as VizModule);
    const renderer = await viz.instance();
    return renderer.renderString(graphvizOf(diagram), { format: "svg" });
}
