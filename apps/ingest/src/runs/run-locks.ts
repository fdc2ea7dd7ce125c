import { Injectable } from '@nestjs/common';
import { KeyedLock } from './keyed-lock';

/** One lock per run id for this instance: a write checked against a run's state and its append happen under it. */
@Injectable()
export class RunLocks extends KeyedLock {}
