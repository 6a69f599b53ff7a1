import { AppError } from "../platform/errors/app-error.js";

export function sectionNotFound(name: string): AppError {
  return new AppError("not_found", "SETTINGS_SECTION_NOT_FOUND", `${name} is not a settings section; GetSettingsSchema lists them.`, { name });
}

export function settingNotFound(name: string): AppError {
  return new AppError("not_found", "SETTING_NOT_FOUND", `${name} is not a declared setting; GetSettingsSchema lists them.`, { name });
}

export function settingsEtagMismatch(name: string, current: string, given: string): AppError {
  return new AppError("aborted", "ETAG_MISMATCH", `${name} has changed since it was read (etag ${current}, given ${given.slice(0, 40)}); read it again.`, {
    name,
    etag: current,
  });
}
