export * from './copy-binary';
export * from './db.module';
export * from './migrations';
export * from './pg-array';
export * from './prisma';
