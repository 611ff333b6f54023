// Every TypeORM entity, registered once. A feature adds its entities here.
import { ApiKeyEntity } from '../auth/api-key.entity';
import { ScopeTagEntity } from '../auth/scope-tag.entity';

export const ENTITIES = [ScopeTagEntity, ApiKeyEntity];
