/**
 * Where Graphviz puts things: the laid-out size of the diagram and the boxes of its nodes,
 * cluster titles and edge labels (from Graphviz's JSON output), so a spec can check that the
 * picture fits a page and that no label is drawn over a node or a title.
 */
import type { Diagram } from "./diagram";
import { graphvizOf, vizInstance } from "./graphviz";

/** A rectangle in Graphviz points (1/72 inch; an SVG shown at 100 % draws 1 pt as 4/3 px). */
export interface Box {
    readonly left: number;
    readonly right: number;
    readonly bottom: number;
    readonly top: number;
}

export interface LaidOutText {
    /** What it says (its lines joined by a space). */
    readonly text: string;
    readonly box: Box;
}

export interface Layout {
    /** The whole picture, in points. */
    readonly width: number;
    readonly height: number;
    /** Every node's outline, by its text. */
    readonly nodes: readonly LaidOutText[];
    /** Every cluster's title. */
    readonly titles: readonly LaidOutText[];
    /** Every edge label (label, head label, tail label, external label). */
    readonly edgeLabels: readonly LaidOutText[];
    /** Every edge's line, as points along it, named `from -> to`. */
    readonly edgeLines: ReadonlyArray<{ readonly name: string; readonly points: ReadonlyArray<readonly [number, number]> }>;
}

/** SVG's pixels per point: what a browser shows at 100 % and what rsvg-convert renders by default. */
export const PIXELS_PER_POINT = 96 / 72;

interface TextOperation {
    readonly op: string;
    readonly points?: Array<[number, number]>;
    readonly pt?: [number, number];
    readonly align?: "l" | "c" | "r";
    readonly width?: number;
    readonly size?: number;
    readonly text?: string;
}

interface GraphvizJsonObject {
    readonly name: string;
    readonly label?: string;
    readonly pos?: string;
    readonly width?: string;
    readonly height?: string;
    readonly [drawing: string]: unknown;
}

/** How much wider than Graphviz measured a viewer may draw a text. */
const FONT_SLACK = 0.15;

/** Points along the cubic Bézier pieces an xdot `b` operation draws. */
function linePoints(operations: unknown): Array<[number, number]> {
    if (!Array.isArray(operations)) {
        return [];
    }
    const points: Array<[number, number]> = [];
    for (const operation of operations as TextOperation[]) {
        if (operation.op !== "b" || !operation.points) continue;
        for (let start = 0; start + 3 < operation.points.length; start += 3) {
            const [p0, p1, p2, p3] = operation.points.slice(start, start + 4);
            for (let step = 0; step <= 10; step++) {
                const t = step / 10;
                const u = 1 - t;
                const at = (axis: 0 | 1) => u * u * u * p0[axis] + 3 * u * u * t * p1[axis] + 3 * u * t * t * p2[axis] + t * t * t * p3[axis];
                points.push([at(0), at(1)]);
            }
        }
    }
    return points;
}

/** The text boxes an xdot drawing list paints (`F` sets the font size for the `T`s after it). */
function textBoxes(operations: unknown): LaidOutText[] {
    if (!Array.isArray(operations)) {
        return [];
    }
    const boxes: LaidOutText[] = [];
    let size = 14;
    for (const operation of operations as TextOperation[]) {
        if (operation.op === "F" && typeof operation.size === "number") {
            size = operation.size;
        } else if (operation.op === "T" && operation.pt && typeof operation.width === "number") {
            const [x, y] = operation.pt;
            const left = operation.align === "l" ? x : operation.align === "r" ? x - operation.width : x - operation.width / 2;
            // y is the baseline: descenders reach a quarter of the size below it, capitals the size above.
            // A viewer without Helvetica draws wider text (DejaVu Sans, about 15 %): allow for it.
            const slack = (operation.width * FONT_SLACK) / 2;
            boxes.push({
                text: operation.text ?? "",
                box: { left: left - slack, right: left + operation.width + slack, bottom: y - size / 4, top: y + size * 0.8 },
            });
        }
    }
    return boxes;
}

/** The lines of one label drawn as a single box around all of them. */
function merged(texts: readonly LaidOutText[]): LaidOutText | undefined {
    if (texts.length === 0) {
        return undefined;
    }
    return {
        text: texts.map((text) => text.text).join(" "),
        box: {
            left: Math.min(...texts.map((text) => text.box.left)),
            right: Math.max(...texts.map((text) => text.box.right)),
            bottom: Math.min(...texts.map((text) => text.box.bottom)),
            top: Math.max(...texts.map((text) => text.box.top)),
        },
    };
}

const LABEL_DRAWINGS = ["_ldraw_", "_hldraw_", "_tldraw_", "_xldraw_"];

/** Lays the diagram out with Graphviz (as `svgOf` draws it) and returns where everything went. */
export async function layoutOf(diagram: Diagram): Promise<Layout> {
    const renderer = await vizInstance();
    const json = JSON.parse(renderer.renderString(graphvizOf(diagram), { format: "json" })) as {
        bb: string;
        objects?: GraphvizJsonObject[];
        edges?: GraphvizJsonObject[];
    };
    const [, , width, height] = json.bb.split(",").map(Number);
    const nodes: LaidOutText[] = [];
    const titles: LaidOutText[] = [];
    for (const object of json.objects ?? []) {
        if (object.name.startsWith("cluster_")) {
            const title = merged(textBoxes(object._ldraw_));
            if (title) titles.push(title);
        } else if (object.pos && object.name.startsWith("title_")) {
            const title = merged(textBoxes(object._ldraw_));
            if (title) titles.push(title);
        } else if (object.pos) {
            const [x, y] = object.pos.split(",").map(Number);
            const halfWidth = (Number(object.width) * 72) / 2;
            const halfHeight = (Number(object.height) * 72) / 2;
            nodes.push({
                text: textBoxes(object._ldraw_).map((text) => text.text).join(" "),
                box: { left: x - halfWidth, right: x + halfWidth, bottom: y - halfHeight, top: y + halfHeight },
            });
        }
    }
    const edgeLabels = (json.edges ?? []).flatMap((edge) =>
        LABEL_DRAWINGS.map((drawing) => merged(textBoxes(edge[drawing]))).filter((label): label is LaidOutText => label !== undefined),
    );
    const names = new Map((json.objects ?? []).map((object, index) => [index, object.name]));
    const edgeLines = (json.edges ?? []).map((edge) => ({
        name: `${names.get(edge.tail as number) ?? "?"} -> ${names.get(edge.head as number) ?? "?"}`,
        points: linePoints(edge._draw_),
    }));
    return { width, height, nodes, titles, edgeLabels, edgeLines };
}

/** Two texts closer than this read as one phrase ("meters WAF log"). */
const MIN_TEXT_GAP = 4;

function overlap(a: Box, b: Box, gap = 0): boolean {
    return a.left - gap < b.right && b.left - gap < a.right && a.bottom - gap < b.top && b.bottom - gap < a.top;
}

function contains(box: Box, [x, y]: readonly [number, number]): boolean {
    return box.left < x && x < box.right && box.bottom < y && y < box.top;
}

/**
 * Every edge label drawn over a node, a cluster title or another edge label, and every edge
 * line drawn through a cluster title, as a sentence each.
 */
export function labelCollisions(layout: Layout): string[] {
    const collisions: string[] = [];
    layout.edgeLabels.forEach((label, index) => {
        for (const node of layout.nodes.filter((candidate) => overlap(label.box, candidate.box))) {
            collisions.push(`edge label "${label.text}" is drawn over the node "${node.text}"`);
        }
        for (const title of layout.titles.filter((candidate) => overlap(label.box, candidate.box, MIN_TEXT_GAP))) {
            collisions.push(`edge label "${label.text}" is drawn over or against the title "${title.text}"`);
        }
        for (const other of layout.edgeLabels.slice(index + 1).filter((candidate) => overlap(label.box, candidate.box, MIN_TEXT_GAP))) {
            collisions.push(`edge label "${label.text}" is drawn over or against the edge label "${other.text}"`);
        }
    });
    for (const line of layout.edgeLines) {
        for (const title of layout.titles.filter((candidate) => line.points.some((point) => contains(candidate.box, point)))) {
            collisions.push(`edge ${line.name} is drawn through the title "${title.text}"`);
        }
    }
    return collisions;
}
