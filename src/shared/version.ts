/** The product's name and version, from package.json (two levels up from src/shared and dist/shared). */
import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson;

export const PRODUCT_NAME = 'posture-agent';
export const PRODUCT_VERSION: string = packageJson.version;
