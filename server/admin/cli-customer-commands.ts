/** `hub:admin` commands about customers' data: erasure and the audit trail of who read it. */
import { auditQuery, eraseRequest } from '../../shared/protocol';
import { print, renameIssuePaths, str, type Prepare } from './cli-args';
import { auditTable } from './cli-text';

/** By command name. */
export const customerCommands: Record<string, Prepare> = {
  'erase-customer': ({ rest, values }) => {
    const input = renameIssuePaths(eraseRequest, {
      customerId: str(values, 'customer') ?? rest[0],
      reason: str(values, 'reason'),
    });
    return async (ops, io, json) => {
      const result = await ops.eraseCustomer(input);
      print(
        io,
        json,
        result,
        result.status === 'erased'
          ? `customer ${input.customerId} erased; terminals drop it at their next sync`
          : `customer ${input.customerId} was already erased`,
      );
    };
  },
  audit: ({ values }) => {
    const query = renameIssuePaths(auditQuery, {
      customerId: str(values, 'customer'),
      guideId: str(values, 'guide'),
      terminalId: str(values, 'terminal'),
      from: str(values, 'from'),
      to: str(values, 'to'),
      limit: str(values, 'limit'),
    });
    return async (ops, io, json) => {
      const page = await ops.audit(query);
      if (json) return print(io, json, page, '');
      const whom = query.customerId
        ? `customer ${query.customerId}`
        : query.guideId
          ? `guide ${query.guideId}`
          : `terminal ${query.terminalId}`;
      if (page.items.length === 0) return io.out(`no audit entries for ${whom} in that range`);
      io.out(auditTable(page, query.customerId === undefined));
      io.out(
        `${page.items.length} entr${page.items.length === 1 ? 'y' : 'ies'} for ${whom}, newest first` +
          (page.hasMore ? `; older ones left out (narrow --from / --to, or raise --limit)` : ''),
      );
    };
  },
};
