/** `hub:admin` commands for online-sale credit: the rules, one order explained, the statement. */
import { readFileSync } from 'node:fs';
import { creditExplainQuery, creditRules, statementQuery } from '../../shared/protocol';
import { print, renameIssuePaths, str, type Prepare } from './cli-args';
import { creditExplanationText, creditRulesText, creditStatementText } from './cli-credit-text';
import { UsageError } from './cli-ops';

/** By command name. */
export const creditCommands: Record<string, Prepare> = {
  'credit-rules': () => async (ops, io, json) => {
    const current = await ops.creditRules();
    print(io, json, current, creditRulesText(current));
  },
  'set-credit-rules': ({ values }) => {
    const source = str(values, 'rules') ?? readRulesFile(str(values, 'file'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      throw new UsageError(`the rules are not JSON: ${(error as Error).message}`);
    }
    const result = creditRules.safeParse(parsed);
    if (!result.success)
      throw new UsageError(
        `invalid rules:\n${result.error.issues.map((i) => `  ${i.path.join('.') || '(rules)'}: ${i.message}`).join('\n')}`,
      );
    return async (ops, io, json) => {
      const saved = await ops.setCreditRules(result.data);
      print(
        io,
        json,
        saved,
        `credit rules saved; they apply to online orders from now on\n${creditRulesText(saved)}`,
      );
    };
  },
  'credit-explain': ({ rest, values }) => {
    const { orderId } = renameIssuePaths(creditExplainQuery, {
      orderId: str(values, 'order') ?? rest[0],
    });
    return async (ops, io, json) => {
      const explanation = await ops.explainCredit(orderId);
      print(io, json, explanation, creditExplanationText(explanation));
    };
  },
  'credit-statement': ({ values }) => {
    const query = renameIssuePaths(statementQuery, {
      from: str(values, 'from'),
      to: str(values, 'to'),
    });
    const csv = values.csv === true;
    return async (ops, io, json) => {
      // CSV goes to stdout as it is (with its BOM): `… --csv > statement.csv`.
      if (csv) return io.out((await ops.creditStatementCsv(query)).replace(/\r\n$/, ''));
      const statement = await ops.creditStatement(query);
      print(io, json, statement, creditStatementText(statement));
    };
  },
};

function readRulesFile(path: string | undefined): string {
  if (!path) throw new UsageError('set-credit-rules needs --rules <json> or --file <path>');
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
