import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `RateLimitRulesModule.forRoot()`. */
export interface RateLimitRulesModuleOptions {
  /**
   * How often each instance checks the database for rule changes made elsewhere, in
   * milliseconds: the bound on how long another instance's write takes to apply here. With a
   * `RedisRateLimitStore` as the limiter's store, writes also reach the other instances through
   * Redis pub/sub (channel `{keyPrefix}:rules`, nothing to configure) in well under a second;
   * this check is then the fallback, for messages lost while Redis was unreachable. With any
   * other store it is the only way.
   * @default 5000
   */
  refreshIntervalMs?: number;
}

export const {
  ConfigurableModuleClass: ConfigurableRateLimitRulesModule,
  MODULE_OPTIONS_TOKEN: RATE_LIMIT_RULES_OPTIONS,
} = new ConfigurableModuleBuilder<RateLimitRulesModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();
