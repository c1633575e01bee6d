import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Optional,
  Param,
  StreamableFile,
} from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { RATE_LIMIT_ALGORITHMS, RATE_LIMIT_MODES, SkipRateLimit } from '../../rate-limit/index.js';
import { REQUEST_METHODS } from '../policies/rate-limit-policies.dto.js';
import {
  RATE_LIMIT_ADMIN_OPTIONS,
  type RateLimitAdminModuleOptions,
} from '../rate-limit-admin.options.js';
import { type AdminUiFiles, readAdminUiFiles, renderAdminPage } from './admin-ui-files.js';
import { adminLoginUrl, joinPath } from './admin-ui-paths.js';

/** The page runs its own scripts and styles only, and talks to this origin only. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET admin`: the admin web page, beside the admin API it calls (`/api/v1/admin` for an API at
 * `/api/v1`), and `GET admin/assets/{file}`, its scripts and styles. Served by
 * `RateLimitAdminModule.forRoot({ ui: true })`; never rate limited.
 */
@Controller('admin')
@SkipRateLimit()
export class RateLimitAdminUiController {
  private readonly files: AdminUiFiles = readAdminUiFiles();
  private page?: string;

  constructor(
    private readonly app: ApplicationConfig,
    @Optional()
    @Inject(RATE_LIMIT_ADMIN_OPTIONS)
    private readonly options: RateLimitAdminModuleOptions = {},
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  show(): string {
    // Rendered at the first request: the global prefix is set after the module is built.
    this.page ??= this.render();
    return this.page;
  }

  @Get('assets/:file')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string): StreamableFile {
    const asset = this.files.assets.get(file);
    if (asset === undefined) throw new NotFoundException(`No asset "${file}"`);
    return new StreamableFile(asset.body, { type: asset.contentType, length: asset.body.length });
  }

  private render(): string {
    const prefix = this.app.getGlobalPrefix();
    const apiBase = joinPath(prefix, this.options.path ?? '');
    const ui = typeof this.options.ui === 'object' ? this.options.ui : {};
    return renderAdminPage(this.files.template, {
      apiBase,
      loginUrl: adminLoginUrl(ui.loginUrl, joinPath(prefix)),
      algorithms: RATE_LIMIT_ALGORITHMS,
      modes: RATE_LIMIT_MODES,
      methods: REQUEST_METHODS,
    });
  }
}
