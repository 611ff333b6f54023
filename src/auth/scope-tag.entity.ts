import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'scope_tags' })
export class ScopeTagEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
