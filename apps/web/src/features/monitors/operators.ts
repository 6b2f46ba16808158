import type { MonitorOperator } from '@atelier/contracts';

export const OPERATOR_SYMBOLS: Record<MonitorOperator, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };
