import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RateLimitModuleOptions } from './rate-limit-options.js';

/** Registration-time extras that shape the module rather than configure the limiter. */
export interface RateLimitModuleExtras {
  /**
   * Registers {@link RateLimitGuard} as a global guard (`APP_GUARD`), so every route is limited
   * without decorators.
   * @default false
   */
  globalGuard?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableRateLimitModule,
  MODULE_OPTIONS_TOKEN: RATE_LIMIT_MODULE_OPTIONS,
  OPTIONS_TYPE: RATE_LIMIT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RATE_LIMIT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RateLimitModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<RateLimitModuleExtras>({ globalGuard: false }, (definition) => ({
    ...definition,
    global: true,
  }))
  .build();
