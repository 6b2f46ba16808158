export * from './db.module';
export * from './migrations';
export * from './prisma';
