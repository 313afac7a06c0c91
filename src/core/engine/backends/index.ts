export {
  BackendInstallError,
  DEFAULT_NPM_REGISTRY,
  INSTALL_RECORD,
  cudaBackendPackages,
  installCudaBackend,
  installedBackendPackages,
  nodeLlamaCppVersion,
  redirectAllowed,
  removeInstalledBackends,
  verifyInstalledBackends,
} from './cuda-install';
export type {
  BackendInstallErrorCode,
  BackendInstallProgress,
  BackendVerification,
  InstallCudaBackendOptions,
  InstalledBackendPackage,
} from './cuda-install';
export { BACKENDS_DIR_ENV, backendsEnv, registerBackendsFromEnv, registerInstalledBackends } from './resolve-hook';
export { backendRoots, insideFolder, ownInstallRoot } from './own-folder';
