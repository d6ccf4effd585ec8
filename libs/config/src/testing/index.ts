export {
  describeSettingsTable,
  documentedSettings,
  type EnvFormat,
  readSettingsTable,
  type Setting,
  writeSettingsTable,
} from './settings-table';
