/** Label selectors as the API server evaluates them (matchLabels and matchExpressions). */

export interface LabelSelectorLike {
  readonly matchLabels?: Readonly<Record<string, string>> | undefined;
  readonly matchExpressions?:
    | readonly {
        readonly key: string;
        readonly operator: string;
        readonly values?: readonly string[] | undefined;
      }[]
    | undefined;
}

/** Does a label selector match these labels? An empty selector matches everything; an unknown operator nothing. */
export function selectorMatches(sel: LabelSelectorLike, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const v = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (v === undefined || !values.includes(v)) return false;
        break;
      case "NotIn":
        if (v !== undefined && values.includes(v)) return false;
        break;
      case "Exists":
        if (v === undefined) return false;
        break;
      case "DoesNotExist":
        if (v !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
