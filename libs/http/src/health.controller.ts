import { Controller, Get } from '@nestjs/common';
import { Public } from './caller';

@Public()
@Controller('health')
export class HealthController {
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
