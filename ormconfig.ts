// The DataSource the typeorm CLI uses (`npm run migration:run`); the app builds its own in src/.
import 'reflect-metadata';
import { createDataSource } from './src/database/data-source';

if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL must be set for the typeorm CLI');
export default createDataSource(process.env.DATABASE_URL);
