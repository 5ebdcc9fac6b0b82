-- One database and one role per service: no service can read another's data.
CREATE ROLE applications LOGIN PASSWORD 'applications-dev';
CREATE DATABASE applications OWNER applications;
CREATE ROLE courses LOGIN PASSWORD 'courses-dev';
CREATE DATABASE courses OWNER courses;
CREATE ROLE notifications LOGIN PASSWORD 'notifications-dev';
CREATE DATABASE notifications OWNER notifications;
CREATE ROLE reporting LOGIN PASSWORD 'reporting-dev';
CREATE DATABASE reporting OWNER reporting;
