import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/ui/index.js';

describe('renderTable', () => {
  it('matches `docker compose ps` byte for byte', () => {
    // captured from compose 2.26.1; note the trailing blanks of a row whose last cell is empty
    const expected =
      'NAME              IMAGE           COMMAND                  SERVICE   CREATED         STATUS                  PORTS\n' +
      'uitest-ui-db-1    busybox:local   "sleep 3600"             db        2 seconds ago   Up 1 second (healthy)   \n' +
      'uitest-ui-web-1   busybox:local   "sh -c \'echo hello w…"   web       2 seconds ago   Up Less than a second   127.0.0.1:18080->80/tcp, 0.0.0.0:32768->9000/tcp, :::32768->9000/tcp\n';
    const out = renderTable(
      ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'],
      [
        ['uitest-ui-db-1', 'busybox:local', '"sleep 3600"', 'db', '2 seconds ago', 'Up 1 second (healthy)', ''],
        [
          'uitest-ui-web-1',
          'busybox:local',
          '"sh -c \'echo hello w…"',
          'web',
          '2 seconds ago',
          'Up Less than a second',
          '127.0.0.1:18080->80/tcp, 0.0.0.0:32768->9000/tcp, :::32768->9000/tcp',
        ],
      ],
    );
    expect(out).toBe(expected);
  });

  it('pads narrow columns to the minimum width of 10', () => {
    expect(renderTable(['SERVICE', 'STATE', 'NAME'], [['db', 'running', 'p-db-1']])).toBe(
      'SERVICE   STATE     NAME\n' + 'db        running   p-db-1\n',
    );
  });

  it('takes compose ls / images minimum width of 20', () => {
    expect(renderTable(['NAME', 'STATUS', 'CONFIG FILES'], [['uitest-ui', 'running(2)', '/tmp/uitest-ui/compose.yaml']], { minWidth: 20 })).toBe(
      'NAME                STATUS              CONFIG FILES\n' + 'uitest-ui           running(2)          /tmp/uitest-ui/compose.yaml\n',
    );
  });

  it('prints only the header when there are no rows', () => {
    expect(renderTable(['NAME', 'IMAGE'], [])).toBe('NAME      IMAGE\n');
  });
});
