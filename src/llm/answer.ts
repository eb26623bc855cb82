/**
 * Answers without a model: the common questions (what is broken, why, what to do) from the findings,
 * deterministically, followed by how to configure a provider. Pure.
 */
import { CONFIGURE_HINT } from "./config.js";
import type { FindingView } from "./findings.js";

export type QuestionIntent = "what" | "why" | "fix" | "overview";

/** A rough intent from the question's words; anything else gets the overview (all three parts). */
export function intentOf(question: string): QuestionIntent {
  const q = question.toLowerCase();
  if (/\b(how (do|can|to|should)|fix|what (should|do) (i|we)|remed|resolve|repair)\b/.test(q)) return "fix";
  if (/\b(why|cause|reason|root)\b/.test(q)) return "why";
  if (/\b(what|which|anything|is .* (broken|failing|down|ok|healthy))\b/.test(q)) return "what";
  return "overview";
}

function mentioned(f: FindingView, q: string): boolean {
  const words = q
    .toLowerCase()
    .split(/[^a-z0-9-]+/)
    .filter((w) => w.length >= 3);
  const names = [f.name, f.owner?.split("/")[1] ?? "", f.namespace]
    .map((s) => s.toLowerCase())
    .filter((s) => s !== "");
  return words.some((w) => names.some((n) => n === w || n.startsWith(`${w}-`)));
}

const label = (f: FindingView) =>
  `${f.kind} ${f.namespace !== "" ? `${f.namespace}/` : ""}${f.name}${f.owner !== undefined ? ` (${f.owner})` : ""}`;

/**
 * The no-provider answer. Findings that match a name in the question come first; the rest are counted.
 * `scope` names the namespace (or "all namespaces") for the empty case.
 */
export function answerWithoutModel(question: string, all: readonly FindingView[], scope: string): string {
  let findings = all;
  const intent = intentOf(question);
  // Hygiene (low severity) only when nothing worse is wrong: it is not why something fails.
  const serious = findings.filter((f) => f.severity !== "low");
  const hygiene = findings.length - serious.length;
  if (serious.length > 0 && hygiene > 0) findings = serious;
  const focus = findings.filter((f) => mentioned(f, question));
  const shown = (focus.length > 0 ? focus : findings).slice(0, 8);
  const out: string[] = [];
  if (findings.length === 0) {
    out.push(
      `Nothing looks broken in ${scope}: no crash-looping, pending, failing or evicted pods, no NotReady nodes, no stalled rollouts.`,
    );
  } else {
    const crit = findings.filter((f) => f.severity === "critical").length;
    out.push(
      `${findings.length} problem${findings.length === 1 ? "" : "s"} in ${scope} (${crit} critical)` +
        (focus.length > 0 && focus.length < findings.length ? `; ${focus.length} match your question:` : ":"),
    );
    for (const f of shown) {
      out.push("");
      out.push(`- ${label(f)}: ${f.reason}. ${f.message}`);
      if (intent !== "what") for (const e of f.evidence.slice(0, 4)) out.push(`    evidence: ${e}`);
      if (intent === "fix" || intent === "overview" || intent === "why")
        out.push(`    next: ${f.suggestion}`);
    }
    const rest = (focus.length > 0 ? focus : findings).length - shown.length;
    if (rest > 0) out.push(`\n… and ${rest} more (narrow with -n NAMESPACE).`);
    if (findings !== all)
      out.push(
        `\n(${all.length - findings.length} low-severity hygiene finding(s) not shown: vigil analyze lists them.)`,
      );
  }
  out.push("", "(Answered from Vigil's findings without a language model.)", CONFIGURE_HINT);
  return out.join("\n") + "\n";
}
