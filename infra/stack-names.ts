// Stack naming, free of the Pulumi SDK so the command-line tools and the policy pack can use it.

/** Suffix that marks an origin stack: `dev-origin` is the origin of the `dev` gateway. */
export const ORIGIN_STACK_SUFFIX = "-origin";

/** `dev-origin`, `dev` and `acme/hello-gateway/dev-origin` all belong to the `dev` environment. */
export function environmentOf(stack: string): string {
    const name = stack.split("/").pop() ?? stack;
    return name.endsWith(ORIGIN_STACK_SUFFIX) ? name.slice(0, -ORIGIN_STACK_SUFFIX.length) : name;
}
