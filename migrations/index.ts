import { Foundation1795586939184 } from './1795586939184-Foundation';

/** Every migration, oldest first. A test fails when a file in this folder is missing here. */
export const MIGRATIONS = [Foundation1795586939184];
