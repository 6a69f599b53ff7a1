// MEDIAN: a regression ensemble answers, for each row, the median of the members that answered.
// Robust to one member going astray, where an average is not. Weights are ignored.

/**
 * @param {readonly { member: string, result: { kind: string, values?: Float64Array, error?: string } }[]} answers
 */
function combine(answers) {
  const answered = answers.filter((a) => a.result.kind === "regression");
  const failed = answers.filter((a) => a.result.kind === "failure").map((a) => ({ member: a.member, error: a.result.error ?? "" }));
  if (answered.length === 0) throw new Error("MEDIAN needs at least one answer");
  if (answers.some((a) => a.result.kind === "classification")) throw new Error("MEDIAN combines regression members only");
  const rows = answered[0].result.values.length;
  if (answered.some((a) => a.result.values.length !== rows)) throw new Error("members answered different numbers of rows");
  const values = new Float64Array(rows);
  const column = new Float64Array(answered.length);
  for (let r = 0; r < rows; r++) {
    for (let m = 0; m < answered.length; m++) column[m] = answered[m].result.values[r];
    column.sort();
    const mid = column.length >> 1;
    values[r] = column.length % 2 === 1 ? column[mid] : (column[mid - 1] + column[mid]) / 2;
  }
  return { kind: "regression", rows, values, answered: answered.map((a) => a.member), failed };
}

export const medianStrategy = { name: "MEDIAN", tasks: ["regression"], combine };
